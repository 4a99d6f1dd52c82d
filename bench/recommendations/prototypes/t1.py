from h import *
import itertools
V=[Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True)
cache={}
def B(v,lam=50,d=0.5):
    key=(id(v),lam,d)
    if key not in cache: cache[key]=edlae(v.X,lam,d)
    return cache[key]
run("base", lambda v: linscore(B(v),v.Q))
run("base k50", lambda v: linscore(B(v),v.Q,k=50))
run("no drop", lambda v: linscore(B(v),v.Q,clip=None))
for lam,d in [(20,0.5),(100,0.5),(50,0.4),(50,0.6),(10,0.6),(200,0.3)]:
    run(f"lam{lam} d{d}", lambda v: linscore(B(v,lam,d),v.Q))
def sized(v,p,a):
    n=N; b=B(v); W=b[:n,:n].copy(); W[W<0]=0; prior=b[n,:n]
    qs=v.Q.sum(1,keepdims=True)
    return a*prior[None,:]+(v.Q@W)/qs**p
for p in [-0.2,0,0.2,0.4]:
    for a in [0.7,1,1.3]:
        run(f"size p{p} a{a}", lambda v: sized(v,p,a))
