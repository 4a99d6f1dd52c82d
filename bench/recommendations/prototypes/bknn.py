from h import *
import sys
V=[] if __name__!="__main__" else [Split(s,val=True) for s in [1,2,3,4,5]]
def run(name, f):
    r=[v.ratio(f(v)) for v in V]; print(f"{name}: {np.mean(r):.4f}  {' '.join(f'{x:.3f}' for x in r)}", flush=True); return np.mean(r)
EB={}
for v in V:
    B=edlae(v.X); W=B[:N,:N].copy(); W[W<0]=0; EB[id(v)]=(W,B[N,:N])
def easescore(v): W,p=EB[id(v)]; return p[None,:]+v.Q@W
SK={}
def sknn(v,k,alpha=0.5,pw=1):
    key=(id(v),k,alpha,pw)
    if key in SK: return SK[key]
    X=v.X; out=np.zeros_like(v.Q)
    bs=X.sum(1)
    for s in range(0,len(v.Q),1000):
        Q=v.Q[s:s+1000]; ov=Q@X.T; sim=ov/(Q.sum(1,keepdims=True)**(1-alpha)*bs[None,:]**alpha)
        sim=sim**pw
        if k<X.shape[0]:
            th=-np.partition(-sim,k,axis=1)[:,k][:,None]; sim=np.where(sim>th,sim,0)
        out[s:s+1000]=sim@X
    SK[key]=out; return out
def fuse_rank(a,b,wb):
    ra=np.argsort(np.argsort(-a,1),1); rb=np.argsort(np.argsort(-b,1),1)
    return -(1/(60+ra)+wb/(60+rb))
if __name__=='__main__':
    for k in [100,500,2000]:
        run(f"sknn k{k}", lambda v: sknn(v,k))
    for k in [500,2000]:
        for w in [0.3,0.6,1.0]:
            run(f"ease + sknn k{k} norm-fuse {w}", lambda v: (lambda e,s: e/e.max(1,keepdims=True)+w*s/s.max(1,keepdims=True))(easescore(v),sknn(v,k)))
    