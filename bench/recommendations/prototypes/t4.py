from h import *
V=[Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
def sc(v,X,lam=50,d=0.5,w=None):
    B=edlae(X,lam,d,w=w); W=B[:N,:N].copy(); W[W<0]=0; return B[N,:N][None,:]+v.Q@W
for lam in [30,50,100]:
  run(f"all baskets lam{lam}", lambda v: sc(v,v.X,lam))
  run(f"size>=2 lam{lam}", lambda v: sc(v,v.X[v.X.sum(1)>=2],lam))
run("size1 weight 0.5", lambda v: sc(v,v.X,w=np.where(v.X.sum(1)>=2,1,0.5)))
