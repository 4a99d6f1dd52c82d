from h import *
import sys, itertools
def base_pred(X,lam=50,d=0.5):
    B=edlae(X,lam,d); W=B[:N,:N].copy(); W[W<0]=0; prior=B[N,:N]
    return W,prior
def pair_feats(baskets_or_Q, pairs_idx, n=N):
    pass
def top_pairs(X,P,minc=0):
    C=X.T@X; np.fill_diagonal(C,0); iu=np.triu_indices(N,1); c=C[iu]
    o=np.argsort(-c)[:P]; return [(iu[0][t],iu[1][t]) for t in o], c[o]
def Zp(X,pairs):
    return np.stack([X[:,a]*X[:,b] for a,b in pairs],1)
def fit_pairs(X,W,prior,pairs,mu):
    R=X-(prior[None,:]+X@W)   # training residual of the base model (uses all other items; diagonal of W is 0)
    Z=Zp(X,pairs); G=Z.T@Z; P=len(pairs)
    C=np.zeros((P,N))
    ZR=Z.T@R
    contains=np.zeros((P,N),bool)
    for p,(a,b) in enumerate(pairs): contains[p,a]=contains[p,b]=True
    for j in range(N):
        keep=~contains[:,j]
        Gk=G[np.ix_(keep,keep)]+mu*np.eye(keep.sum())
        C[keep,j]=np.linalg.solve(Gk,ZR[keep,j])
    return C
if __name__=='__main__':
    val=sys.argv[1]=='val'
    for P in [int(x) for x in sys.argv[2].split(',')]:
      for mu in [float(x) for x in sys.argv[3].split(',')]:
        for clip in [True, False]:
          rs=[];bs=[]
          for seed in [1,2,3,4,5]:
            v=Split(seed,val=val)
            W,prior=base_pred(v.X)
            pairs,_=top_pairs(v.X,P)
            C=fit_pairs(v.X,W,prior,pairs,mu)
            if clip: C=np.maximum(C,0)
            base=prior[None,:]+v.Q@W
            bs.append(v.ratio(base))
            rs.append(v.ratio(base+Zp(v.Q,pairs)@C))
          print(f"P={P} mu={mu} clip={clip}: {np.mean(rs):.4f} (base {np.mean(bs):.4f}) {' '.join(f'{x:.3f}' for x in rs)}",flush=True)
