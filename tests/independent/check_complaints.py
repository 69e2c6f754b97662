import json, collections, sys
rows=[json.loads(l) for l in open(__import__('os').path.join(__import__('os').path.dirname(__file__) or '.', 'complaints.jsonl'),encoding='utf-8')]
keys=["id","text","industry","script","overall","sentiment","categories","severity"]
CATS={"attitude","quality","timeliness","price","communication","parts","environment","process","other"}
errs=[]
ids=set(); texts=set()
for r in rows:
    if list(r.keys())!=keys: errs.append(("keys",r["id"]))
    if r["id"] in ids: errs.append(("dupid",r["id"]))
    ids.add(r["id"])
    t=r["text"].strip().lower()
    if t in texts: errs.append(("duptext",r["id"]))
    texts.add(t)
    if r["industry"] not in "auto power telecom broadband insurance property bank hospital appliance training other".split(): errs.append(("ind",r["id"]))
    if r["script"] not in ("zh-Hans","zh-Hant"): errs.append(("script",r["id"]))
    if r["overall"] not in (None,1,2,3,4,5): errs.append(("overall",r["id"]))
    if r["sentiment"] not in ("positive","negative","mixed","neutral"): errs.append(("sent",r["id"]))
    if not set(r["categories"])<=CATS or len(set(r["categories"]))!=len(r["categories"]): errs.append(("cats",r["id"]))
    if r["severity"] not in ("high","medium","low","none"): errs.append(("sev",r["id"]))
    s,c,v=r["sentiment"],r["categories"],r["severity"]
    if s=="positive" and (c or v!="none"): errs.append(("pos-rule",r["id"]))
    if s in("negative","mixed") and (not c or v=="none"): errs.append(("neg-rule",r["id"]))
    if s=="neutral" and (c or v not in("low","none")): errs.append(("neu-rule",r["id"]))
    o=r["overall"]
    if o is not None and ((s=="positive" and o<4) or (s=="negative" and o>4)): errs.append(("overall-consistency",r["id"],s,o))
print("errors:",errs)
n=len(rows); print("lines:",n)
C=collections.Counter
def show(name,cnt):
    print(name+":", ", ".join(f"{k}={v} ({100*v/n:.1f}%)" for k,v in sorted(cnt.items(),key=lambda x:-x[1])))
show("sentiment",C(r["sentiment"] for r in rows))
show("severity",C(r["severity"] for r in rows))
show("script",C(r["script"] for r in rows))
show("industry",C(r["industry"] for r in rows))
show("overall",C(str(r["overall"]) for r in rows))
print("categories (lines carrying each code):", dict(sorted(C(c for r in rows for c in r["categories"]).items(),key=lambda x:-x[1])))
comp=[r for r in rows if r["categories"]]
multi=[r for r in comp if len(r["categories"])>=2]
print(f"complaining lines: {len(comp)}; with 2+ categories: {len(multi)} ({100*len(multi)/len(comp):.1f}%)")
print("sentiment x severity:", dict(C((r["sentiment"],r["severity"]) for r in rows)))
print("high by script:", dict(C(r["script"] for r in rows if r["severity"]=="high")))
