from h import *
from t5 import topk
T=[Split(s) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in T]; print(f"| {name} | {np.mean(r):.4f} | {' '.join(f'{x:.3f}' for x in r)} |", flush=True)
def bw(v,k=None):
    s=v.X.sum(1); B=edlae(v.X,w=1/np.log2(1+s)); W=B[:N,:N].copy(); W[W<0]=0
    if k: W=topk(W,k)
    return B[N,:N][None,:]+v.Q@W
run("1/log2(1+size) all", bw)
run("1/log2(1+size) 50", lambda v: bw(v,50))
