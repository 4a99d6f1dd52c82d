from h import *
import sys
V=[Split(s,val=(sys.argv[1]=='val')) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
EDGES=[2,3,4,5,7,10,1000]
def ind(sizes):
    F=np.zeros((len(sizes),len(EDGES)))
    for k in range(len(EDGES)):
        lo=EDGES[k-1] if k else 0
        F[:,k]=(sizes>=lo)&(sizes<EDGES[k]) if k else (sizes<EDGES[0])
    return F
def sized(v,lam=50,ireg=100,idrop=False):
    X=v.X; F=ind(X.sum(1)); Z=np.hstack([X,F,np.ones((len(X),1))]); G=Z.T@Z; dg=np.diag(G).copy()
    reg=lam+dg; nF=F.shape[1]
    reg[N:N+nF]=ireg+(dg[N:N+nF] if idrop else 0)
    P=np.linalg.inv(G+np.diag(reg)); B=-P/np.diag(P)[None,:]; np.fill_diagonal(B,0)
    W=B[:N,:N].copy(); W[W<0]=0
    Fq=ind(v.Q.sum(1)+1)
    return B[-1,:N][None,:]+Fq@B[N:N+nF,:N]+v.Q@W
run("base", lambda v: sized(v,ireg=1e12))
for ireg in [10,100,1000]:
    run(f"size indicators reg {ireg}", lambda v: sized(v,ireg=ireg))
run(f"size indicators dropout", lambda v: sized(v,ireg=50,idrop=True))
