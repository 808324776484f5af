"""Agreement of civscore with the blind readings of eval/ (Spearman), per text and per dimension.

    python bench/tune_eval.py tune -v      # only ever `tune` while tuning

Baselines: `terms` counts the distinct rubric terms present in the text, `occ` their
occurrences; per dimension, `terms` counts the distinct terms of that dimension's criteria.
The general rubric's dimensions are compared with the reading of the same meaning (its
order differs from the court rubric's, which is the readers' order).
"""
import csv, sys
sys.path.insert(0,'.')
from scipy.stats import spearmanr
from scorer.engine import Scorer
from scorer.ingest import load_document
split = sys.argv[1] if len(sys.argv)>1 else 'tune'
READ = ['leadership','culture','education','volunteer','judicial']
# rubric dimension id -> the reading of the same meaning
DIM_MAP = {'court': {k: k for k in READ},
           'general': {'organization':'leadership','customs':'culture','morality':'education',
                       'volunteering':'volunteer','service':'judicial'}}
src=[r for r in csv.DictReader(open('eval/sources.tsv'),delimiter='\t')]
a={r['file']:r for r in csv.DictReader(open('eval/readings/reader_a.csv'))}
b={r['file']:r for r in csv.DictReader(open('eval/readings/reader_b.csv'))}
sc={'court':Scorer.load('court'),'general':Scorer.load('general')}
def walk(m, out):
    for t in getattr(m,'terms',[]) or []: out.update(t.surfaces)
    for g in getattr(m,'groups',[]) or []:
        for t in g: out.update(t.surfaces)
def terms(r):
    out=set()
    for d in r.dimensions:
        for c in d.criteria:
            for m in c.matchers: walk(m, out)
    for bi in r.bonus.items:
        for m in bi.matchers: walk(m, out)
    return out
def dim_terms(r, key):
    out={}
    for d in r.dimensions:
        s=set()
        for c in d.criteria:
            for m in c.matchers: walk(m, s)
        out[DIM_MAP[key][d.id]]=s
    return out
T={k:terms(v.rubric) for k,v in sc.items()}
DT={k:dim_terms(v.rubric,k) for k,v in sc.items()}
rows=[]
for s in src:
    if split!='all' and s['split']!=split: continue
    doc=load_document('eval/corpus/'+s['file'])
    rk = 'court' if ('法院' in (doc.meta.unit or '') or doc.text.count('法院')>=2) else 'general'
    res=sc[rk].score_document(doc)
    mean=(float(a[s['file']]['total'])+float(b[s['file']]['total']))/2
    tt=[t for t in T[rk] if t in doc.text]
    by={DIM_MAP[rk][d.id]: d.score for d in res.dimensions}
    dterms=[sum(1 for t in DT[rk][k] if t in doc.text) for k in READ]
    rows.append((s['file'],s['kind'],s['subkind'],rk,res.total,mean,len(tt),sum(doc.text.count(t) for t in tt), [by[k] for k in READ], [ (float(a[s['file']][k])+float(b[s['file']][k]))/2 for k in READ], dterms))
tool=[r[4] for r in rows]; mean=[r[5] for r in rows]
def rho(x,y): return round(spearmanr(x,y).statistic,3)
print('n',len(rows),'tool',rho(tool,mean),'terms',rho([r[6] for r in rows],mean),'occ',rho([r[7] for r in rows],mean))
for i,k in enumerate(READ):
    print(k.ljust(10), 'tool', rho([r[8][i] for r in rows],[r[9][i] for r in rows]), 'terms', rho([r[10][i] for r in rows],[r[9][i] for r in rows]))
if '-v' in sys.argv:
    for r in sorted(rows,key=lambda r:-r[5]): print(r[0],r[1],r[2][:12].ljust(12),r[3][:5],r[4],r[5],r[6], [round(x,1) for x in r[8]], r[9])
