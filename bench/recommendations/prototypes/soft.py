from h import *
from scipy.optimize import minimize
def train_trials(train):
    return trials(train)
def softmax_model(Q,H,n,l2=1.0,init=None,iters=200,l2b=0.0):
    T=len(H); mask=np.where(Q>0,-1e9,0.0)
    Y=np.zeros((T,n)); Y[np.arange(T),H]=1
    def f(theta):
        W=theta[:n*n].reshape(n,n); b=theta[n*n:]
        S=Q@W+b[None,:]+mask
        S-=S.max(1,keepdims=True); E=np.exp(S); Z=E.sum(1,keepdims=True); P=E/Z
        loss=-(np.log(P[np.arange(T),H]+1e-300)).sum()/T + l2*(W*W).sum()/2/T + l2b*(b*b).sum()/2/T
        G=(P-Y)/T
        gW=Q.T@G + l2*W/T; gb=G.sum(0)+l2b*b/T
        return loss, np.concatenate([gW.ravel(),gb])
    th0=np.zeros(n*n+n) if init is None else init
    r=minimize(f,th0,jac=True,method='L-BFGS-B',options={'maxiter':iters})
    W=r.x[:n*n].reshape(n,n); b=r.x[n*n:]
    return W,b
if __name__=='__main__':
    import sys
    V=[Split(s,val=True) for s in [1,2,3,4,5]]
    for l2 in [float(x) for x in sys.argv[1].split(',')]:
        rs=[]
        for v in V:
            Qt,Ht=trials(v.train)
            W,b=softmax_model(Qt,Ht,N,l2=l2,iters=300)
            rs.append(v.ratio(b[None,:]+v.Q@W))
        print(f"softmax l2={l2}: {np.mean(rs):.4f} {' '.join(f'{x:.3f}' for x in rs)}",flush=True)
