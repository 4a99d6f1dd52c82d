from h import *
import sys
V=[Split(s,val=(sys.argv[1]=='val')) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
EB={}
def eb(v):
    if id(v) not in EB: EB[id(v)]=edlae(v.X)
    return EB[id(v)]
def clipfloor(v,c):
    B=eb(v); W=B[:N,:N].copy(); W=np.maximum(W,-c); return B[N,:N][None,:]+v.Q@W
for c in [0.005,0.01,0.02]:
    run(f"negative weights floored at -{c}", lambda v: clipfloor(v,c))
def bw(v):
    s=v.X.sum(1); w=1/np.log2(1+s)
    B=edlae(v.X,w=w); W=B[:N,:N].copy(); W[W<0]=0; return B[N,:N][None,:]+v.Q@W
run("baskets weighted 1/log2(1+size)", bw)
def calib(v,a,b):
    B=eb(v); W=B[:N,:N].copy(); W[W<0]=0; n=np.maximum(v.counts,1); n=n/n.mean()
    return (B[N,:N]*n**a)[None,:]+(v.Q@W)*n[None,:]**b
for a in [-0.1,0,0.1]:
    for b in [-0.1,0,0.1]:
        if a or b: run(f"prior × n^{a}, co-occurrence × n^{b}", lambda v: calib(v,a,b))
