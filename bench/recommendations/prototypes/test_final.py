# Test seeds 1-5, hyper-parameters fixed on the validation splits (carved from the training baskets).
from h import *
from t5 import ease2, rp3, topk, fused
from bknn import sknn
from nn import nnease
import bknn
T=[Split(s) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in T]; print(f"| {name} | {np.mean(r):.4f} | {' '.join(f'{x:.3f}' for x in r)} |", flush=True); return np.mean(r)
run("base EASE+intercept+dropout λ=50 (all neighbours)", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*ease2(v.X)))
run("base, 50 neighbours", lambda v: (lambda W,p: p[None,:]+v.Q@topk(W))(*ease2(v.X)))
run("intercept λ=3000 (instead of λ + #baskets)", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*ease2(v.X,lam_int=3000)))
run("+ 0.1 × RP3β (β=0.3), all neighbours", lambda v: fused(v,rp3(v.X,0.3),0.1))
run("+ 0.1 × RP3β (β=0.3), 50 neighbours", lambda v: fused(v,rp3(v.X,0.3),0.1,None,50))
run("+ 0.1 × RP3β, intercept λ=3000, 50 neighbours", lambda v: fused(v,rp3(v.X,0.3),0.1,3000,50))
run("non-negative EASE (coordinate descent, 3 sweeps)", lambda v: (lambda W,p: p[None,:]+v.Q@W)(*nnease(v.X,50,0.5,3)))
def sk(v):
    W,p=ease2(v.X); e=p[None,:]+v.Q@W; s=sknn(v,500); return e/e.max(1,keepdims=True)+s/s.max(1,keepdims=True)
run("fusion with basket-kNN (500 baskets), not servable", sk)
