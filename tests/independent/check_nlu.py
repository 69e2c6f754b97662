import re, collections, unicodedata
text=open(__import__('os').path.join(__import__('os').path.dirname(__file__) or '.', 'nlu.yml'),encoding='utf-8').read()
try:
    import yaml
    d=yaml.safe_load(text)
    assert d["version"]=="3.1"
    items=[(b["intent"],l[2:].strip()) for b in d["nlu"] for l in b["examples"].splitlines() if l.strip()]
    print("yaml parse ok")
except ImportError:
    items=[]; cur=None
    for line in text.splitlines():
        m=re.match(r'^- intent: (\S+)$',line)
        if m: cur=m.group(1); continue
        m=re.match(r'^    - (.+)$',line)
        if m: items.append((cur,m.group(1).strip()))
    print("pyyaml not installed; parsed line-wise")
INTENTS="inform_score affirm deny praise complain suggest request_human opt_out busy_later wrong_person ask_purpose greet goodbye thank out_of_scope".split()
bad=[i for i,_ in items if i not in INTENTS]; print("unknown intents:",bad)
seen={}; dups=[]
for i,t in items:
    k=t.casefold()
    if k in seen: dups.append((t,seen[k],i))
    seen[k]=i
print("duplicates (case-insensitive):",dups)
print("entity-like annotations:",[t for _,t in items if re.search(r'\[[^\]]+\]\(',t) or re.search(r'\]\{',t)])
c=collections.Counter(i for i,_ in items)
print("total:",len(items))
for i in INTENTS: print(f"  {i}: {c[i]}")
# characters that exist only in Traditional script, or are Cantonese-specific, among those used in the file
TRAD=set("滿顆俾哋係啱冇問題掂咗喇對謝決還沒樣見師專態護親細釋準嘢遲鐘貴壞錢會訴議預約間線進時發聯絡轉話搵講唔該給嗎訂傳訊後請揸緊開啲說陣閒覆錯車個電辦寬頻邊誰咩機詐騙點腦囉關飯氣幾幫嚟ㄅㄆㄇㄈ")
# Taiwan / Hong Kong forms written only with characters shared by both scripts
REGIONAL={"普通","好正","麻麻地","早晨","午安","安安","掰掰","感恩","好喔","五粒星","俾5分","得","你好喔","先咁啦","等陣先","唔使喇","冇"}
tr=[(i,t) for i,t in items if any(ch in TRAD for ch in t) or t in REGIONAL]
print("total",len(items),"Traditional/Cantonese/Taiwan forms:",len(tr),f"({100*len(tr)/len(items):.1f}%)")
print(dict(collections.Counter(i for i,_ in tr)))

