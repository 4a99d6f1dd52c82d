# Probe of headroom: a one-hidden-layer denoising autoencoder (squared loss, input = basket with
# items dropped, target = the whole basket), added to the linear EASE scores. Not servable as is.
from h import *
from t5 import ease2
import sys
def train_dae(X,h=128,epochs=30,lr=1e-3,drop=0.5,l2=1e-4,seed=0):
    rng=np.random.default_rng(seed); n=X.shape[1]
    W1=rng.normal(0,0.05,(n,h)); b1=np.zeros(h); W2=rng.normal(0,0.05,(h,n)); b2=X.mean(0).copy()
    params=[W1,b1,W2,b2]; m=[np.zeros_like(p) for p in params]; v=[np.zeros_like(p) for p in params]; t=0
    X=X[X.sum(1)>=2]
    for ep in range(epochs):
        perm=rng.permutation(len(X))
        for s in range(0,len(X),128):
            xb=X[perm[s:s+128]]
            keep=(rng.random(xb.shape)>drop)|(xb==0)
            xin=xb*keep
            a=xin@W1+b1; z=np.tanh(a); out=z@W2+b2
            err=(out-xb)*(1-xin)  # only items not in the input count (as in the protocol)
            B=len(xb)
            g2=z.T@err/B; gb2=err.mean(0); dz=err@W2.T*(1-z*z); g1=xin.T@dz/B; gb1=dz.mean(0)
            grads=[g1+l2*W1,gb1,g2+l2*W2,gb2]; t+=1
            for p,g,mm,vv in zip(params,grads,m,v):
                mm*=0.9; mm+=0.1*g; vv*=0.999; vv+=0.001*g*g
                p-=lr*(mm/(1-0.9**t))/(np.sqrt(vv/(1-0.999**t))+1e-8)
    return lambda Q: np.tanh(Q@W1+b1)@W2+b2
if __name__=='__main__':
    val=sys.argv[1]=='val'; h=int(sys.argv[2]); drop=float(sys.argv[3]); ep=int(sys.argv[4])
    rs=[];fs=[]
    for seed in [1,2,3,4,5]:
        v=Split(seed,val=val)
        f=train_dae(v.X,h=h,drop=drop,epochs=ep)
        D=f(v.Q); W,p=ease2(v.X); E=p[None,:]+v.Q@W
        rs.append(v.ratio(D)); fs.append(v.ratio(0.5*D+0.5*E))
        print(seed,rs[-1],fs[-1],flush=True)
    print(f"{'val' if val else 'test'} h={h} drop={drop} ep={ep}: DAE {np.mean(rs):.4f} ({' '.join(f'{x:.3f}' for x in rs)}); 0.5 DAE + 0.5 EASE {np.mean(fs):.4f} ({' '.join(f'{x:.3f}' for x in fs)})")
