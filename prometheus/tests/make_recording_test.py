#!/usr/bin/env python3
"""Writes prometheus/tests/recording.yml: input series of two daemons and the fleet values the
recording rules must give, computed here from the same counts (run from prometheus/tests/)."""
import math
# Per-minute increments are multiples of 60, so every rate is a whole number per second and the
# ratios are single correctly rounded divisions, as Python's are.
d1={('0','0'):50,('0','1'):10,('1','0'):5,('1','1'):35,('2','2'):0}
d2={('0','0'):20,('0','1'):20,('1','0'):0,('1','1'):60}
L=[]
def s(name, labels, values):
    lab=",".join('%s="%s"'%(k,v) for k,v in labels.items())
    L.append("      - series: '%s{%s}'\n        values: '%s'" % (name, lab, values))
base=lambda inst: {"job":"model_metrics","instance":inst,"model":"m","version":"v1"}
refs=(("amount","(-Inf,10)",0.5),("amount","[10,+Inf)",0.5),("country","ES",1),("country","__other__",0))
for inst,cells in (("d1:9464",d1),("d2:9464",d2)):
    for (a,p),k in cells.items():
        s("modelwatch_outcomes_total", {**base(inst),"actual":a,"predicted":p}, "0+%dx70"%(60*k))
    for c in sorted({a for a,_ in cells}):
        s("modelwatch_correct_outcomes_total", {**base(inst),"class":c}, "0+%dx70"%(60*cells.get((c,c),0)))
    s("modelwatch_predictions_total", base(inst), "0+6000x70")
    s("modelwatch_labels_total", {**base(inst),"result":"matched"}, "0+5400x70")
    for f,b,r in refs:
        s("modelwatch_reference_bin_ratio", {"job":"model_metrics","instance":inst,"model":"m","feature":f,"bin":b}, "%gx70"%r)
cur={"d1:9464":{("amount","(-Inf,10)"):30,("amount","[10,+Inf)"):10,("country","ES"):5,("country","__other__"):5},
     "d2:9464":{("amount","(-Inf,10)"):30,("amount","[10,+Inf)"):30,("country","ES"):5,("country","__other__"):5}}
for inst,c in cur.items():
    for (f,b),k in c.items():
        s("modelwatch_feature_values_total", {**base(inst),"feature":f,"bin":b}, "0+%dx70"%(60*k))
tot={}
for c in cur.values():
    for k,v in c.items(): tot[k]=tot.get(k,0)+v
def psi(f, ref):
    n=sum(v for (ff,b),v in tot.items() if ff==f)
    out=0
    for b,q in ref.items():
        p=tot[(f,b)]/n
        p=p if p>0 else 1e-4; q=q if q>0 else 1e-4
        out+=(p-q)*math.log(p/q)
    return out
rnd=lambda v: math.floor(v*(1/1e-9)+0.5)/(1/1e-9)
psis={"amount":psi("amount",{"(-Inf,10)":0.5,"[10,+Inf)":0.5}),"country":psi("country",{"ES":1,"__other__":0})}
cells={}
for d in (d1,d2):
    for k,v in d.items(): cells[k]=cells.get(k,0)+v
classes=['0','1','2']
correct={c:cells.get((c,c),0) for c in classes}
def share(num, den): return num/den if den else 0.0
acc=sum(correct.values())/sum(cells.values())
prec={c:share(correct[c], sum(v for (a,p),v in cells.items() if p==c)) for c in classes}
rec={c:share(correct[c], sum(v for (a,p),v in cells.items() if a==c)) for c in classes}
E=[]
def e(expr, samples):
    E.append("      - expr: %s\n        eval_time: 60m\n        exp_samples:\n%s" % (expr, "\n".join(
        "          - labels: '%s'\n            value: %r" % (lab, val) for lab,val in samples)))
mv='job="model_metrics",model="m",version="v1"'
minutes=60
for suf in ("rate5m","rate1h","cumulative"):
    scale = 1 if suf!="cumulative" else 60*minutes   # counters hold 60 minutes of per-second rates
    e("model_version:modelwatch_outcomes:%s"%suf, [("model_version:modelwatch_outcomes:%s{%s}"%(suf,mv), float(sum(cells.values())*scale))])
    e("model_version:modelwatch_correct_outcomes:%s"%suf, [("model_version:modelwatch_correct_outcomes:%s{%s}"%(suf,mv), float(sum(correct.values())*scale))])
    e("model_version:modelwatch_accuracy:ratio_%s"%suf, [("model_version:modelwatch_accuracy:ratio_%s{%s}"%(suf,mv), acc)])
    e("model_version_class:modelwatch_precision:ratio_%s"%suf, [("model_version_class:modelwatch_precision:ratio_%s{class=\"%s\",%s}"%(suf,c,mv), prec[c]) for c in classes])
    e("model_version_class:modelwatch_recall:ratio_%s"%suf, [("model_version_class:modelwatch_recall:ratio_%s{class=\"%s\",%s}"%(suf,c,mv), rec[c]) for c in classes])
    ratio=lambda f,b: tot[(f,b)]/sum(v for (ff,_),v in tot.items() if ff==f)
    # Rates of one range are extrapolated by one factor, which may leave the last bit: rounded to 1e-9.
    e("round(model_version_feature_bin:modelwatch_feature_values:ratio_%s, 1e-9)"%suf, [("{bin=\"%s\",feature=\"%s\",%s}"%(b,f,mv), rnd(ratio(f,b))) for (f,b) in sorted(tot)])
    e("round(model_version_feature_bin:modelwatch_feature_values:ratio_floored_%s, 1e-9)"%suf, [("{bin=\"%s\",feature=\"%s\",%s}"%(b,f,mv), rnd(ratio(f,b) or 1e-4)) for (f,b) in sorted(tot)])
    # PSI goes through ln(): compared after rounding to 1e-9, as Go's and C's logarithms may differ in the last bit.
    e("round(model_version_feature:modelwatch_psi:%s, 1e-9)"%suf, [("{feature=\"%s\",%s}"%(f,mv), rnd(v)) for f,v in sorted(psis.items())])
    if suf!="cumulative":
        e("model_version:modelwatch_predictions:%s"%suf, [("model_version:modelwatch_predictions:%s{%s}"%(suf,mv), 200.0)])
        e("model_version_result:modelwatch_labels:%s"%suf, [("model_version_result:modelwatch_labels:%s{result=\"matched\",%s}"%(suf,mv), 180.0)])
e("model_feature_bin:modelwatch_reference_bin_ratio:floored", [('model_feature_bin:modelwatch_reference_bin_ratio:floored{bin="%s",feature="%s",job="model_metrics",model="m"}'%(b,f), float(r or 1e-4)) for f,b,r in refs])
head='''# promtool test rules prometheus/tests/recording.yml
# Two daemons each hold part of model m's traffic; the rules sum them into one fleet. Expected
# values follow from the counts below (per second; each series grows by 60x that a minute):
#   outcomes (actual, predicted), d1 + d2: (0,0) 50+20  (0,1) 10+20  (1,0) 5+0  (1,1) 35+60
#   and (2,2) 0: a class no outcome has yet
#   accuracy 165/200; precision 0: 70/75, 1: 95/125, 2: 0 (zero_division); recall 0: 70/100, 1: 95/100
#   amount bins 60/40 against the reference's 0.5/0.5 (PSI 0.1 ln 1.2 + 0.1 ln 1.25);
#   country ES/__other__ 10/10 against 1/0, the reference's 0 floored at 0.0001.
rule_files:
  - ../recording_rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
'''
open("recording.yml","w").write(head+"\n".join(L)+"\n    promql_expr_test:\n"+"\n".join(E)+"\n")
