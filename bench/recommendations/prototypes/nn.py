from h import *
import sys
V=[] if __name__!="__main__" else [Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
def nnease(X,lam=50,d=0.5,sweeps=30,init=True,lam_int=None):
    Z=np.hstack([X,np.ones((X.shape[0],1))]); G=Z.T@Z; n=G.shape[0]; dg=np.diag(G).copy()
    reg=lam+d/(1-d)*dg
    if lam_int is not None: reg[-1]=lam_int
    if init:
        P=np.linalg.inv(G+np.diag(reg)); B=-P/np.diag(P)[None,:]; np.fill_diagonal(B,0); B[:N][B[:N]<0]=0
    else: B=np.zeros((n,n))
    GB=G@B
    for s in range(sweeps):
        for i in range(n):
            old=B[i].copy()
            new=(G[i]-GB[i]+G[i,i]*old)/(G[i,i]+reg[i])
            if i<N: new=np.maximum(new,0)
            new[i]=0
            delta=new-old
            if np.any(delta): B[i]=new; GB+=np.outer(G[:,i],delta)
    return B[:N,:N],B[N,:N]
if __name__=='__main__':
    for sw in [int(x) for x in sys.argv[1].split(',')]:
        for lam in [float(x) for x in sys.argv[2].split(',')]:
            for d in [float(x) for x in sys.argv[3].split(',')]:
                run(f"nn-ease sweeps{sw} lam{lam} d{d}", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*nnease(v.X,lam,d,sw)))
    