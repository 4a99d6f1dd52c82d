import numpy as np, csv
M32=0xffffffff
def imul(a,b): return (a*b)&M32
def is_test(index, seed, share=0.2):
    h = imul((index ^ 0x9e3779b9)&M32, 0x85ebca6b) ^ imul(seed&M32, 0xc2b2ae35)
    h &= M32
    h ^= h>>16; h = imul(h,0x85ebca6b); h ^= h>>13; h = imul(h,0xc2b2ae35); h ^= h>>16
    return h/4294967296 < share
import os
def load(f=os.path.join(os.path.dirname(os.path.abspath(__file__)),'../../../tests/fixtures/datasets/groceries_baskets.csv')):
    items={}; baskets={}
    with open(f) as fh:
        next(fh)
        for line in fh:
            line=line.rstrip('\n'); c=line.index(','); b=line[:c]; it=line[c+1:].strip()
            if it not in items: items[it]=len(items)
            baskets.setdefault(b,[])
            i=items[it]
            if i not in baskets[b]: baskets[b].append(i)
    return len(items), list(baskets.values())
N, BASKETS = load()
def split(baskets, seed, share=0.2):
    tr=[];te=[]
    for i,b in enumerate(baskets): (te if is_test(i,seed,share) else tr).append(b)
    return tr,te
def mat(baskets, n=N):
    X=np.zeros((len(baskets),n))
    for r,b in enumerate(baskets): X[r,b]=1
    return X
def trials(test, n=N):
    Q=[];H=[]
    for b in test:
        if len(b)<2: continue
        for h in b:
            q=np.zeros(n); q[[x for x in b if x!=h]]=1; Q.append(q); H.append(h)
    return np.array(Q), np.array(H)
def hits(S, Q, H, counts):
    # S: T x n scores; ties by count desc then index asc; query items banned
    T,n=S.shape
    S=np.where(Q>0, -np.inf, S)
    sh=S[np.arange(T),H][:,None]; ch=counts[H][:,None]; idx=np.arange(n)[None,:]
    better=(S>sh)|((S==sh)&((counts[None,:]>ch)|((counts[None,:]==ch)&(idx<H[:,None]))))
    rank=better.sum(1)
    return (rank<10)
class Split:
    def __init__(s, seed, val=False):
        tr,te=split(BASKETS,seed)
        if val:  # carve a validation split from the training baskets only
            tr,te=split(tr,seed+1000)
        s.train=tr; s.X=mat(tr); s.counts=s.X.sum(0); s.Q,s.H=trials(te)
        s.pop=hits(np.zeros_like(s.Q), s.Q, s.H, s.counts).mean()
    def ratio(s, S): return hits(S, s.Q, s.H, s.counts).mean()/s.pop
def edlae(X, lam=50, d=0.5, intercept=True, w=None):
    Z=np.hstack([X,np.ones((X.shape[0],1))]) if intercept else X
    G=(Z*(w[:,None] if w is not None else 1)).T@Z
    dg=np.diag(G).copy()
    P=np.linalg.inv(G+np.diag(lam+d/(1-d)*dg))
    B=-P/np.diag(P)[None,:]; np.fill_diagonal(B,0)
    return B
def linscore(B, Q, intercept=True, clip='drop', k=None):
    n=Q.shape[1]
    W=B[:n,:n].copy(); prior=B[n,:n] if intercept else np.zeros(n)
    if clip=='drop': W[W<0]=0
    if k is not None:
        for i in range(n):
            o=np.argsort(-W[i]); W[i,o[k:]]=0
    return prior[None,:]+Q@W
