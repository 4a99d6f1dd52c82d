from h import *
V=[] if __name__!="__main__" else [Split(s,val=True) for s in [1,2,3,4,5]]
import sys
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
def ease2(X,lam=50,lam_int=None):
    Z=np.hstack([X,np.ones((X.shape[0],1))]); G=Z.T@Z; dg=np.diag(G).copy()
    reg=lam+dg
    if lam_int: reg[-1]=lam_int
    P=np.linalg.inv(G+np.diag(reg)); B=-P/np.diag(P)[None,:]; np.fill_diagonal(B,0)
    W=B[:N,:N].copy(); W[W<0]=0; return W,B[N,:N]
def rp3(X,beta,sizew=True):
    du=X.sum(1); di=np.maximum(X.sum(0),1)
    C=(X/(du[:,None] if sizew else 1)).T@X
    R=C/di[:,None]/di[None,:]**beta; np.fill_diagonal(R,0); return R
def knn(X,alpha):
    C=X.T@X; n=np.maximum(np.diag(C),1); R=C/(n[:,None]**alpha*n[None,:]**(1-alpha)); np.fill_diagonal(R,0); return R
def topk(W,k=50):
    W=W.copy()
    for i in range(N):
        o=np.argsort(-W[i]); W[i,o[k:]]=0
    return W
def fused(v,R,c,lam_int=None,k=None):
    W,p=ease2(v.X,lam_int=lam_int); R=R*(W.max(1).mean()/R.max(1).mean()); M=W+c*R
    if k: M=topk(M,k)
    return p[None,:]+v.Q@M
if __name__=='__main__':
    mode=sys.argv[1]
    if mode=='a':
      for b in [0.2,0.3,0.4]:
        for c in [0.05,0.1,0.2]:
            run(f"rp3 b{b} c{c}", lambda v: fused(v,rp3(v.X,b),c))
      for b in [0.3]:
        for c in [0.1,0.2]:
            run(f"rp3 no-size-w b{b} c{c}", lambda v: fused(v,rp3(v.X,b,False),c))
      for a in [0.5,0.8,1.0]:
        for c in [0.1,0.2]:
            run(f"knn a{a} c{c}", lambda v: fused(v,knn(v.X,a),c))
    if mode=='b':
      run("rp3 b0.3 c0.1 lamint3000", lambda v: fused(v,rp3(v.X,0.3),0.1,3000))
      run("rp3 b0.3 c0.1 k50", lambda v: fused(v,rp3(v.X,0.3),0.1,None,50))
      run("rp3 b0.3 c0.1 lamint3000 k50", lambda v: fused(v,rp3(v.X,0.3),0.1,3000,50))
    