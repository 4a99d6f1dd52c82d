from h import *
import sys
V=[Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
def ease2(X,lam,c,gam,lam_int):
    Z=np.hstack([X,np.ones((X.shape[0],1))]); G=Z.T@Z; dg=np.diag(G).copy()
    reg=lam+c*dg**gam; reg[-1]=lam_int
    P=np.linalg.inv(G+np.diag(reg)); B=-P/np.diag(P)[None,:]; np.fill_diagonal(B,0)
    W=B[:N,:N].copy(); W[W<0]=0; return W,B[N,:N]
for li in [10, 100,1000,3000,1e4,1e5]:
    run(f"lam_int {li}", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*ease2(v.X,50,1,1,li)))
for gam in [0.75, 1.25]:
    for c in ([3,10] if gam<1 else [0.2,0.3]):
        run(f"gam {gam} c {c}", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*ease2(v.X,50,c,gam,len(v.X)+50)))
