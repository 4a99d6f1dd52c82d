from h import *
import sys
def init(X,lam=50,d=0.5):
    B=edlae(X,lam,d); W=B[:N,:N].copy(); W[W<0]=0; return W,B[N,:N].copy()
def train_topk(X,baskets,W0,p0,tau,reg,steps,lr,k=10,pos=True):
    Q,H=trials(baskets); T=len(H); mask=np.where(Q>0,-1e9,0.0); ar=np.arange(T)
    W=W0.copy(); p=p0.copy(); mW=np.zeros_like(W); vW=np.zeros_like(W); mp=np.zeros_like(p); vp=np.zeros_like(p)
    for it in range(1,steps+1):
        S=Q@W+p[None,:]+mask
        sh=S[ar,H].copy(); S2=S.copy(); S2[ar,H]=-1e9
        kth_idx=np.argpartition(-S2,k-1,axis=1)[:,k-1]; sk=S2[ar,kth_idx]
        z=(sk-sh)/tau; g=1/(1+np.exp(-z))/tau/T   # d softplus
        G=np.zeros_like(S); G[ar,H]-=g; G[ar,kth_idx]+=g
        gW=Q.T@G+reg*(W-W0); gp=G.sum(0)
        np.fill_diagonal(gW,0)
        for (P,gg,m,v) in ((W,gW,mW,vW),(p,gp,mp,vp)):
            m*=0.9; m+=0.1*gg; v*=0.999; v+=0.001*gg*gg
            P-=lr*(m/(1-0.9**it))/(np.sqrt(v/(1-0.999**it))+1e-8)
        if pos: np.maximum(W,0,out=W)
    return W,p
if __name__=='__main__':
    tau=float(sys.argv[1]); reg=float(sys.argv[2]); steps=int(sys.argv[3]); lr=float(sys.argv[4])
    rs=[];bs=[]
    for seed in [1,2,3,4,5]:
        v=Split(seed,val=True)
        W0,p0=init(v.X)
        W,p=train_topk(v.X,v.train,W0,p0,tau,reg,steps,lr)
        bs.append(v.ratio(p0[None,:]+v.Q@W0)); rs.append(v.ratio(p[None,:]+v.Q@W))
        print(seed,bs[-1],rs[-1],flush=True)
    print(f"tau={tau} reg={reg} steps={steps} lr={lr}: {np.mean(rs):.4f} base {np.mean(bs):.4f}")
