from h import *
V=[Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
EB={id(v):edlae(v.X) for v in V}
def rp3(v,alpha,beta):
    X=v.X; du=X.sum(1); di=X.sum(0)
    Pui=X/du[:,None]; Piu=(X/np.maximum(di,1)[None,:]).T
    W=(Piu**alpha if alpha!=1 else Piu)@(Pui**alpha if alpha!=1 else Pui)
    W=W/np.maximum(di,1)[None,:]**beta
    np.fill_diagonal(W,0)
    return W
def norm_rows(W): return W/ (W.max(1,keepdims=True)+1e-12)
for a in [0.5,1.0]:
    for b in [0.0,0.3,0.5]:
        run(f"rp3 a{a} b{b}", lambda v: v.Q@rp3(v,a,b))
# fusion: EASE-score + c * rp3 score scaled
def fuse(v,c,b):
    B=EB[id(v)]; W=B[:N,:N].copy(); W[W<0]=0; prior=B[N,:N]
    R=rp3(v,1.0,b); R=R*(W.max(1).mean()/R.max(1).mean())
    return prior[None,:]+v.Q@(W+c*R)
for b in [0.0,0.3,0.6]:
    for c in [0.1,0.3,0.6]:
        run(f"ease+{c}*rp3 b{b}", lambda v: fuse(v,c,b))
