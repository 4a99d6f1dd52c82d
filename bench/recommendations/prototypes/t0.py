from h import *
import time
for seed in [1,2,3,4,5]:
    s=Split(seed); t=time.time()
    B=edlae(s.X)
    print(seed, len(s.H), round(s.pop*len(s.H)), s.ratio(linscore(B,s.Q)), s.ratio(linscore(B,s.Q,k=50)), time.time()-t)
