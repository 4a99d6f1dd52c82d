from h import *
from scipy.optimize import minimize
import sys
def weights(X,lam=50,d=0.5,k=None):
    B=edlae(X,lam,d); W=B[:N,:N].copy(); Wn=np.minimum(W,0); W[W<0]=0; prior=B[N,:N]
    if k is not None:
        for i in range(N):
            o=np.argsort(-W[i]); W[i,o[k:]]=0
    return W,prior
def feats(Q,W,prior,counts):
    T=Q.shape[0]; qs=Q.sum(1,keepdims=True)
    s=Q@W
    mx=np.zeros_like(s)
    for i in range(N):
        sel=Q[:,i]>0
        if sel.any(): mx[sel]=np.maximum(mx[sel],W[i][None,:])
    nl=Q@(W>0).astype(float)
    lc=np.log(counts+1)[None,:]*np.ones((T,1))
    pr=prior[None,:]*np.ones((T,1))
    lq=np.log(qs)
    F=[pr, s, mx, nl/qs, s/qs, s*lq, pr*lq, lc, lc*lq, s*s]
    return np.stack(F,-1)  # T x n x F
def fit(F,Q,H,l2=1e-3,init=None):
    T,n,K=F.shape; mask=np.where(Q>0,-1e9,0.0)
    def f(th):
        S=F@th+mask; S-=S.max(1,keepdims=True); E=np.exp(S); P=E/E.sum(1,keepdims=True)
        loss=-np.log(P[np.arange(T),H]+1e-300).mean()+l2*(th@th)
        G=P.copy(); G[np.arange(T),H]-=1; G/=T
        g=np.einsum('tn,tnk->k',G,F)+2*l2*th
        return loss,g
    th0=np.zeros(K) if init is None else init
    r=minimize(f,th0,jac=True,method='L-BFGS-B',options={'maxiter':500})
    return r.x
def crossfit_train(train,seed,lam=50,d=0.5,k=None,folds=2):
    Fs=[];Qs=[];Hs=[]
    idx=[is_test(i,seed+77,1.0/folds) for i in range(len(train))]
    A=[b for b,t in zip(train,idx) if t]; Bb=[b for b,t in zip(train,idx) if not t]
    for fit_on,eval_on in [(A,Bb),(Bb,A)]:
        X=mat(fit_on); frac=len(fit_on)/len(train)
        W,prior=weights(X,lam*frac,d,k)
        Q,H=trials(eval_on)
        Fs.append(feats(Q,W,prior,X.sum(0)/frac)); Qs.append(Q); Hs.append(H)
    return np.concatenate(Fs),np.concatenate(Qs),np.concatenate(Hs)
if __name__=='__main__':
    val = sys.argv[1]=='val'
    seeds=[1,2,3,4,5]
    sets=[list(map(int,x.split(','))) for x in sys.argv[2:]] or [list(range(10))]
    res={tuple(s):[] for s in sets}; base=[]
    for seed in seeds:
        v=Split(seed,val=val)
        F,Q,H=crossfit_train(v.train,seed,k=50)
        W,prior=weights(v.X,k=50)
        Fv=feats(v.Q,W,prior,v.counts)
        base.append(v.ratio(prior[None,:]+v.Q@W))
        for s in sets:
            th=fit(F[:,:,s],Q,H)
            res[tuple(s)].append(v.ratio(Fv[:,:,s]@th))
            print(seed,s,np.round(th,3),res[tuple(s)][-1],base[-1],flush=True)
    print("base",np.mean(base))
    for s in sets: print(s,np.mean(res[tuple(s)]), ' '.join(f'{x:.3f}' for x in res[tuple(s)]))
