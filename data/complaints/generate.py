"""Generate the synthetic labelled complaint texts: data/complaints/{train,test}.jsonl.

    .venv/bin/python data/complaints/generate.py [--out DIR]   (fixed seed: same output every run)

Texts are composed from clause templates written for the industries in DOMAIN.md. Each clause
carries its labels (categories, and a kind: praise, neutral, suggestion, mild or strong
complaint, high-risk signal); a text's labels follow from its clauses by the rules in README.md.

Why the test split means something: every realised clause (template + slot values + chosen
alternatives) is assigned to one split by a hash of its text, so a test text is built only from
clause realisations that never occur in train; a final check rejects any dev/test text that
still shares a sentence with train. The hand-written texts (handwritten/*.tsv) are not made or
touched here; training uses both, and the dev split used for choosing is hand-written only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opencc import OpenCC

HERE = Path(__file__).resolve().parent
SEED = 20240611
# Train is kept below the hand-written train set so template text does not dominate.
SIZES = {"train": 600, "test": 800}
# Share of hash buckets (0-99) per split for clause realisations (70-82 are left unused).
BUCKETS = {"train": range(0, 70), "test": range(83, 100)}
TRADITIONAL_SHARE = 0.08

# ---------------------------------------------------------------------------------------------
# Vocabulary per industry. Values may hold [a|b] alternatives; a missing slot means templates
# that need it are not used for that industry.
# ---------------------------------------------------------------------------------------------
INDUSTRIES: dict[str, dict[str, list[str]]] = {
    "auto": {
        "area": ["休息区", "展厅", "客户休息室", "洗手间", "等候区"],
        "staff": ["师傅", "维修师傅", "服务顾问", "顾问", "接待的小伙子", "技师", "售后顾问",
                  "前台", "接车的顾问"],
        "svc": ["保养", "维修", "做保养", "修车", "钣金喷漆", "换轮胎", "首保", "换机油",
                "做四轮定位", "补漆"],
        "obj": ["车", "车子", "我的车", "爱车"],
        "fault": ["异响", "抖动", "漏油", "空调不制冷", "故障灯亮", "怠速不稳", "车窗升降卡顿",
                  "底盘异响", "油耗偏高", "中控屏黑屏"],
        "part": ["刹车片", "机油滤芯", "空调滤芯", "雨刮", "电瓶", "轮胎", "火花塞", "原厂件",
                 "大灯总成", "减震器", "后视镜", "水泵"],
        "place": ["4S店", "店里", "你们店", "售后", "维修车间"],
        "fee": ["工时费", "检测费", "配件费", "保养费", "材料费", "洗车费"],
        "paper": ["行驶证", "保养手册", "维修单", "结算单", "车辆登记证"],
        "hotline": ["服务热线", "400电话", "店里的电话", "顾问的手机"],
        "safety": ["刹车[失灵|发软|不灵]了", "刹车踩下去没反应", "高速上突然熄火",
                   "开着开着就熄火了", "轮胎鼓包了", "刹车[片|]脱落了", "车里有股烧焦味",
                   "发动机舱冒烟"],
        "target": ["厂家", "主机厂", "品牌总部", "厂家总部", "汽车厂家"],
        "regulator": ["市场监管局", "消协", "12315"],
        "env_bad": ["休息区又小又吵", "休息区连个座位都没有", "洗手间很脏",
                    "停车位太少，转了好几圈", "展厅里乱糟糟的", "休息室的WiFi根本连不上",
                    "客户休息室空调也不开"],
        "proc_bad": ["交车手续", "结算流程", "保修手续", "取车流程", "预约保养"],
        "product": ["保险", "延保", "贷款", "会员卡", "精品装饰"],
        "freebie": ["赠品", "保养券", "洗车券", "积分", "礼品"],
        "visit": ["进店", "到店里", "把车开到店里"],
    },
    "power": {
        "area": ["营业厅", "大厅", "等候区", "供电所大厅"],
        "staff": ["抢修师傅", "电工师傅", "供电所的人", "营业厅工作人员", "客服", "95598的客服",
                  "师傅", "台区经理"],
        "svc": ["抢修", "报修", "停电抢修", "换电表", "新装", "过户", "增容", "线路检修"],
        "obj": ["电表", "线路", "家里的电", "电路"],
        "fault": ["停电", "跳闸", "电压不稳", "灯一闪一闪", "电表走得快", "半边屋子没电"],
        "part": ["电表", "空开", "电线", "表箱", "漏保开关"],
        "place": ["营业厅", "供电所", "供电营业厅"],
        "fee": ["电费", "改造费", "材料费", "上门费", "违约金"],
        "paper": ["房产证", "身份证复印件", "户口本", "证明材料"],
        "hotline": ["95598", "供电所的电话", "客服热线", "台区经理的电话"],
        "safety": ["电线冒烟了", "表箱[起火|着火]了", "家里漏电", "电线[裸露|烧焦]在外面",
                   "插座冒火花", "电线打火"],
        "target": ["供电公司总部", "上级部门", "国家电网总部"],
        "regulator": ["能源监管部门", "12398", "市长热线"],
        "env_bad": ["营业厅里挤得要命", "营业厅连个坐的地方都没有", "营业厅的叫号机是坏的",
                    "大厅里又闷又热", "营业厅门口没地方停车"],
        "proc_bad": ["过户手续", "增容手续", "开户流程", "电费核查手续", "新装申请"],
        "product": ["电费套餐", "智能家电", "光伏"],
        "freebie": ["积分", "电费红包", "礼品"],
        "visit": ["去营业厅", "到供电所"],
    },
    "telecom": {
        "area": ["营业厅", "门店", "等候区"],
        "staff": ["装维师傅", "客服", "10000号的客服", "营业员", "工程师", "小哥", "安装师傅"],
        "svc": ["装宽带", "修宽带", "移机", "办套餐", "换光猫", "装机", "销户", "改套餐"],
        "obj": ["宽带", "网", "光猫", "路由器", "手机信号", "电视"],
        "fault": ["断网", "网速慢", "掉线", "没信号", "电视卡顿", "WiFi时有时无"],
        "part": ["光猫", "路由器", "机顶盒", "网线", "电源适配器", "遥控器"],
        "place": ["营业厅", "你们营业厅", "门店"],
        "fee": ["套餐费", "调试费", "违约金", "月租", "流量费", "安装费"],
        "paper": ["身份证", "户口本", "证明", "委托书"],
        "hotline": ["10000号", "客服电话", "热线", "装维师傅的电话"],
        "safety": ["光猫冒烟了", "电源适配器烧焦了", "插座冒火花", "电线打火"],
        "target": ["集团总部", "省公司", "上级部门"],
        "regulator": ["工信部", "通信管理局", "12300"],
        "env_bad": ["营业厅里人挤人", "营业厅就两个窗口开着", "营业厅连把椅子都没有",
                    "营业厅里空调坏了热得要死", "门店又小又乱"],
        "proc_bad": ["销户手续", "携号转网", "实名认证", "移机手续", "过户流程"],
        "product": ["套餐", "宽带续约", "手机", "流量包", "融合套餐"],
        "freebie": ["话费", "赠送的流量", "积分", "礼品", "送的路由器"],
        "visit": ["去营业厅", "到门店"],
    },
    "insurance": {
        "area": ["网点", "理赔中心", "等候区", "大厅"],
        "staff": ["理赔员", "查勘员", "定损员", "客服", "业务员", "保险顾问"],
        "svc": ["理赔", "定损", "查勘", "报案", "办理退保", "续保"],
        "obj": ["案子", "理赔", "赔款", "保单"],
        "fault": ["定损金额少了一大截", "赔款一直没到账", "理赔被拒", "材料被打回来"],
        "place": ["理赔中心", "服务网点", "柜台"],
        "fee": ["保费", "续保费", "手续费", "附加险费用"],
        "paper": ["材料", "事故证明", "发票原件", "病历", "银行卡复印件"],
        "hotline": ["客服电话", "95500", "理赔专线", "业务员的手机"],
        "target": ["总公司", "上级公司", "保险公司总部"],
        "regulator": ["银保监", "金融监管局", "保险行业协会"],
        "env_bad": ["服务网点又挤又乱", "理赔中心只有一个窗口", "网点连个坐的地方都没有",
                    "网点停车特别难"],
        "proc_bad": ["理赔手续", "保单变更手续", "资料审核", "报案流程", "续保手续"],
        "product": ["理财险", "新的保险", "分红险", "贷款"],
        "freebie": ["礼品", "积分", "加油卡", "赠送的服务"],
        "visit": ["去网点", "到理赔中心"],
    },
    "property": {
        "area": ["小区", "楼道", "地下车库", "电梯里", "物业服务中心"],
        "staff": ["维修工", "物业师傅", "管家", "物业客服", "前台", "维修师傅"],
        "svc": ["报修", "维修", "上门维修", "疏通下水道", "换水管", "修门禁"],
        "obj": ["水管", "马桶", "下水道", "门禁", "楼道灯", "窗户", "热水器"],
        "fault": ["漏水", "堵了", "不亮", "渗水", "关不严", "打不开"],
        "part": ["水龙头", "阀门", "门锁", "灯泡", "水管接头", "门禁卡"],
        "place": ["物业", "物业服务中心", "小区"],
        "fee": ["维修费", "材料费", "上门费", "物业费", "停车费"],
        "paper": ["业主证明", "房产证", "装修申请"],
        "hotline": ["物业电话", "管家的电话", "服务热线", "值班电话"],
        "safety": ["燃气管漏气", "楼道里有燃气味", "电梯困人", "电梯突然下坠", "配电箱冒烟",
                   "电线打火"],
        "target": ["物业公司总部", "开发商", "集团总部"],
        "regulator": ["住建局", "房管局", "街道办", "12345"],
        "env_bad": ["小区垃圾堆了好几天没人清", "楼道里堆满杂物", "小区绿化没人管",
                    "地下车库又黑又脏", "电梯里一股味"],
        "proc_bad": ["报修流程", "装修审批", "停车登记", "门禁卡办理"],
        "product": ["家政服务", "社区团购", "装修套餐"],
        "freebie": ["节日礼品", "积分", "停车券"],
        "visit": ["去物业", "到物业服务中心"],
    },
    "hospital": {
        "area": ["候诊区", "病房", "走廊", "门诊大厅", "卫生间"],
        "staff": ["医生", "护士", "导诊", "收费处的人", "护士站的护士", "主治医生"],
        "svc": ["看病", "手术", "复诊", "检查", "做B超", "拿药", "住院"],
        "obj": ["伤口", "病", "检查结果"],
        "fault": ["伤口还疼", "症状没好转", "药吃了没效果", "报告出错了"],
        "place": ["医院", "门诊", "候诊区", "住院部"],
        "fee": ["检查费", "药费", "床位费", "挂号费", "材料费"],
        "paper": ["病历", "转诊单", "医保卡", "检查单"],
        "hotline": ["预约电话", "科室电话", "随访电话", "医院总机"],
        "safety": ["伤口感染了", "伤口[化脓|裂开]了", "用药后过敏", "开错药了"],
        "target": ["卫健委", "院长办公室", "上级主管部门"],
        "regulator": ["卫健委", "医患办", "12345"],
        "env_bad": ["候诊区人挤人", "卫生间脏得没法进", "停车要排一个小时",
                    "病房里空调不制冷", "走廊里全是加床"],
        "proc_bad": ["挂号流程", "报销手续", "住院手续", "出院结算", "转诊手续"],
        "product": ["体检套餐", "保健品", "会员卡"],
        "freebie": ["体检券", "积分", "礼品"],
        "visit": ["去医院", "到门诊"],
    },
    "bank": {
        "area": ["网点", "大厅", "等候区"],
        "staff": ["柜员", "大堂经理", "理财经理", "客户经理", "保安"],
        "svc": ["办业务", "开户", "挂失", "转账", "办卡", "销户", "改密码"],
        "obj": ["卡", "账户", "业务"],
        "fault": ["卡被冻结了", "转账没到账", "密码重置失败"],
        "place": ["网点", "银行", "营业厅", "支行"],
        "fee": ["手续费", "年费", "管理费", "短信费", "小额账户管理费"],
        "paper": ["身份证", "证明", "户口本", "工作证明", "流水"],
        "hotline": ["客服电话", "95588", "网点电话", "客户经理的电话"],
        "target": ["总行", "分行", "上级行"],
        "regulator": ["银保监", "人民银行", "金融监管局"],
        "env_bad": ["网点里挤得要命", "就开了一个窗口", "大厅里连个座位都没有",
                    "网点门口没地方停车", "自助机坏了好几台"],
        "proc_bad": ["开户手续", "销户流程", "挂失手续", "大额取现预约", "改手机号"],
        "product": ["理财", "信用卡", "保险", "贷款", "基金"],
        "freebie": ["礼品", "积分", "开卡礼", "优惠券"],
        "visit": ["去网点", "到银行"],
    },
    "appliance": {
        "staff": ["安装师傅", "维修师傅", "师傅", "客服", "售后"],
        "svc": ["安装", "维修", "上门维修", "清洗", "移机", "加氟"],
        "obj": ["空调", "冰箱", "洗衣机", "热水器", "油烟机", "燃气灶", "洗碗机"],
        "fault": ["不制冷", "漏水", "噪音大", "不加热", "不转", "显示故障代码"],
        "part": ["压缩机", "电路板", "主板", "遥控器", "铜管", "电机", "加热管"],
        "place": ["售后网点", "门店"],
        "fee": ["上门费", "材料费", "加氟费", "高空作业费", "支架费", "铜管费"],
        "paper": ["发票", "保修卡", "购买凭证"],
        "hotline": ["售后电话", "400电话", "客服热线", "师傅的电话"],
        "safety": ["热水器漏电", "燃气灶漏气", "插头冒烟", "电线烧焦了", "机器冒烟了"],
        "target": ["厂家", "品牌方", "总部"],
        "regulator": ["12315", "消协", "市场监管局"],
        "proc_bad": ["保修手续", "报修流程", "换机手续", "延保登记"],
        "product": ["延保", "清洗套餐", "净水器"],
        "freebie": ["赠品", "延保卡", "礼品", "积分"],
        "visit": ["去门店", "到售后网点"],
    },
    "training": {
        "area": ["教室", "校区", "走廊", "家长休息室"],
        "staff": ["老师", "课程顾问", "班主任", "前台", "助教"],
        "svc": ["上课", "试听", "报名", "调课", "补课"],
        "obj": ["孩子的课", "课程", "成绩"],
        "fault": ["学了没效果", "课程内容跟宣传不一样", "老师换来换去"],
        "place": ["校区", "教室", "机构"],
        "fee": ["学费", "教材费", "资料费", "报名费"],
        "paper": ["合同", "收据", "申请表"],
        "hotline": ["前台电话", "课程顾问的电话", "班主任的微信"],
        "target": ["总部", "集团", "总校"],
        "regulator": ["教育局", "12315", "消协"],
        "env_bad": ["教室又小又闷", "教室空调不开", "走廊里吵得很", "校区门口没地方停车"],
        "proc_bad": ["续费手续", "调课手续", "请假流程", "转班手续"],
        "product": ["新课程", "续费套餐", "一对一"],
        "freebie": ["赠课", "教材", "礼品"],
        "visit": ["去校区", "到机构"],
    },
}

COMMON_SLOTS: dict[str, list[str]] = {
    "very": ["很", "太", "特别", "真的", "非常", "也很", "也太", "实在", "挺", "超级", "极其", "真是",
             "相当"],
    "wait": ["等了", "足足等了", "干等了", "白白等了", "硬是等了", "整整等了"],
    "hours": ["一个多小时", "两个小时", "三个小时", "快四个小时", "大半天", "一上午", "一下午",
              "整整一天", "四十多分钟", "两个多钟头"],
    "days": ["三天", "五天", "一个星期", "十来天", "半个月", "两个星期", "一个多月", "四五天",
             "整整一周"],
    "late": ["半个小时", "一个小时", "一个多小时", "两个小时", "快三个小时"],
    "times": ["两次", "三次", "好几次", "四五次", "三四次"],
    "runs": ["两趟", "三趟", "好几趟", "四五趟"],
    "nth": ["二", "三", "四"],
    "clock": ["九点", "十点", "两点", "三点", "上午", "下午", "早上八点"],
    "sure": ["明明", "说好", "约好", "讲好", "答应"],
}

# ---------------------------------------------------------------------------------------------
# Clause pools. Kinds: praise, neutral, suggest (low, not negative), mild (low, negative),
# strong (medium, negative), high (high, negative).
# ---------------------------------------------------------------------------------------------
COMPLAINTS: dict[str, dict[str, list[str]]] = {
    "attitude": {
        "strong": [
            "{staff}[态度|服务态度|的态度]{very}[差|恶劣|不好|差劲]",
            "[态度|服务态度][很|太|真的|特别|也很][差|不好|恶劣]",
            "{staff}[爱理不理的|爱答不理|一副不耐烦的样子|说话很冲|板着个脸|态度恶劣|脸色很难看|凶巴巴的]",
            "[问|多问了][{staff}|他][几句|两句|一句]就[不耐烦了|开始甩脸色|嫌我烦]",
            "[问个问题|多问了两句|问问情况|问一下进度][就|]被{staff}[怼了回来|凶了一顿|甩脸色|骂了]",
            "{staff}[推来推去|互相推诿|踢皮球|互相扯皮]，[没人愿意管|谁都不管|没人负责]",
            "{staff}[一直在玩手机|只顾着聊天|头都不抬|在那刷视频]，[根本不理人|把我晾在一边]",
            "{staff}说话[阴阳怪气|很不客气|一点都不礼貌|难听得很|特别冲]",
            "{staff}[还跟我争辩|还跟我顶嘴|反过来说是我的问题|还怪我自己不会用|一直跟我抬杠]",
            "服务态度[极差|太差劲了|让人心寒|真的不敢恭维|有问题|很恶劣]",
            "[客服|{staff}][一直打官腔|只会说套话|就知道推脱]，[一句有用的都没有|就是不给解决|说了等于没说]",
            "[我一个老人家|我年纪大了|我不太懂][问路|问个事|问两句]，{staff}[很不耐烦|直接走开了|理都不理]",
            "[进门|{visit}以后|到了以后][半天|好久|十几分钟]没人[招呼|搭理|理我]",
            "{staff}[冷冰冰的|不搭理人|爱搭不理|一脸嫌弃]，[跟欠他钱似的|像我求他办事一样|好像我欠他的]",
            "{staff}[说话带刺|语气很冲|口气很差]，[让人很不舒服|我听了很生气|太伤人了]",
            "[{staff}|他们|这个{staff}][态度敷衍|敷衍了事|应付了事|糊弄人]",
            "{staff}[当着我的面|在旁边|当着客户的面][骂骂咧咧|发牢骚|摔东西]",
            "[我|]提了[意见|建议]{staff}[还翻白眼|就不高兴了|就摆脸色]",
            "[{staff}|接待的人][特别|很|非常]傲慢，[一副爱办不办的样子|眼睛长在头顶上]",
            "[话还没说完|我还没说完|没等我说完]{staff}就[挂了电话|走开了|打断我]",
            "[被|让]{staff}[训了|数落了|呛了|说了]一顿",
            "{staff}嫌我[问题多|事多|麻烦|啰嗦]",
            "[一问|问什么|问啥]{staff}都[不耐烦|说不知道|爱答不理]",
            "[这样的|这种][服务态度|态度][谁受得了|真让人寒心|太让人生气了]",
            "{staff}[不尊重人|看不起人|瞧不起人]",
        ],
        "mild": [
            "{staff}态度[一般|有点冷淡|稍微有点不耐烦|不太好]",
            "{staff}[话有点少|不太热情|笑容少了点|有点爱理不理|有点冷淡]",
            "[接待的时候|{staff}|接电话的人][有点敷衍|不太主动|不够热情|有点冷]",
            "{staff}说话[有点冲|稍微急了点|不太客气|语气有点硬]",
            "{staff}[好像|感觉|似乎][有点不耐烦|不太愿意多解释|不太想搭理人]",
        ],
        "suggest": [
            "建议{staff}[多点耐心|热情一点|说话再客气一点|多培训一下服务礼仪|多笑一笑]",
            "希望{staff}[态度再好一点|能耐心解答问题|对老人多点耐心|说话温和一点]",
            "[要是|如果]{staff}[再热情点|再耐心点|态度再好点]就更好了",
        ],
    },
    "quality": {
        "strong": [
            "{obj}[修完|弄完|处理完以后|修好以后][{fault}还在|{fault}一点没好|{fault}根本没解决|还是{fault}]",
            "{fault}的[问题|毛病|原因][根本没找到|没查出来|没修好|到现在也没解决]",
            "[修了半天|折腾了半天|弄了一下午|搞了一上午|忙活半天][也没修好|还是没弄好|一点用都没有]",
            "[活|活儿|工作][干得|做得|弄得]{very}[粗糙|马虎|糙|敷衍]",
            "[该做的项目没做|说好的项目少做了|检查项目漏了好几项|有几项根本没做]",
            "[把|给我把|]{obj}[弄坏了|划了一道|刮花了|磕了个坑|弄脏了]",
            "{staff}[技术不行|水平太差|一点都不专业|根本不会修]，[瞎折腾|乱弄一通|越弄越糟|只会换零件]",
            "[装|修|弄|做]得[歪歪扭扭|乱七八糟|马马虎虎]，[一看就没用心|跟没弄一样]",
            "[检查|维修|检测][走个过场|就是走形式|很敷衍]，根本没认真[看|查|弄]",
            "{fault}[一点没改善|跟没修一样|比原来还严重|根本没变化]",
            "回[家|去][一试|一看|以后]{fault}还是没[解决|好]",
            "[做完|修完|弄完]之后[比之前还差|问题更严重了|反而更糟了]",
            "[故障|毛病|问题]没[找到|查清楚]就说[修好了|没问题|处理完了]",
            "[师傅|{staff}][没修好就走了|弄了一半就走了|修不好就让我换新的]",
            "[拆下来的东西|螺丝|盖板][没装回去|少装了一个|装反了]",
            "[问题|{fault}]没解决就[把单子关了|说处理完了|让我签字]",
            "[问题|毛病][根本没解决|压根没解决|一点没解决|还在]",
            "[装的|修的|弄的|换的][东西|地方|零件][松了|歪了|不牢|又松又晃]",
            "[东西|{obj}][被|给我][碰坏了|搞坏了|弄坏了]",
            "[处理结果|解决方案|给的方案][根本不行|没用|我不接受|解决不了问题]",
            "[修|弄|处理]得[一塌糊涂|不像样|太差了]",
        ],
        "mild": [
            "[做得|修得|弄得|装得]还行，就是[不太细致|有点粗糙|细节没处理好|收尾差一点]",
            "{fault}[好像|感觉|似乎][还有一点|没完全好|偶尔还会有]",
            "[收尾|清理|卫生|现场]没[做|弄|收拾]干净",
            "[效果|质量|维修效果][跟预期比|比我想的][差了一点|差一些]",
            "[细节|小地方|边边角角][还有点问题|没弄好|有点粗糙]",
        ],
        "suggest": [
            "建议[检查得再仔细点|做完多试几次|交付前多检查一遍|修完当面试一下]",
            "希望[技术再提高一点|能一次修好|做完把现场清理一下|下次细致一点]",
            "[要是|如果]能一次[修好|弄好|处理好]就更好了",
        ],
    },
    "timeliness": {
        "strong": [
            "{wait}{hours}[才轮到我|才有人来|也没人管|还没弄好|才办完]",
            "{sure}{clock}到，[结果|最后|可是]{late}[后才来|以后才到|以后人才来]",
            "[约好|说好|约定]的时间[人没来|人没到|没人来|放我鸽子]，[白等了|害我等了]{hours}",
            "{svc}[拖了|弄了|搞了]{days}[才弄好|还没弄完|还没结果|才有结果]",
            "进度{very}慢，[一点动静都没有|不知道在干什么|一拖再拖]",
            "[超出|超过了|比承诺的晚了]{late}",
            "[排队|排号|取号][等了|排了|足足排了]{hours}",
            "[报修|申请|反映][之后|以后|了]{days}[才有人上门|都没人来|才有人管]",
            "[催了|打电话催了|一直催，催了]{times}[才来|还是没动静|才有人处理]",
            "[交付时间|交车时间|完工时间|办结时间][一拖再拖|推迟了好几回|从上午拖到晚上|一直往后推]",
            "[上门的师傅|{staff}][迟到了|晚到了|拖了]{late}",
            "{fault}[反映了|报修了|报了]{days}[才处理|才有人来|才解决]",
            "[申请|单子|材料]交上去{days}了还没[批下来|处理|回音]",
            "[说好|承诺|答应]当天[办好|修好|处理]，[拖到|结果拖了]{days}",
            "[叫号|等号|排队][等得|等到]我都想走了",
            "[上门|处理|办事|维修][太慢了|慢得要命|拖拖拉拉|磨磨蹭蹭]",
            "[到现在|都{days}了|拖到现在][还没人来|还没处理|还没弄好]",
            "[要等|得等|排到]{days}[才能上门|才排得上|才有结果|以后]",
            "[当天的事|今天能办的事|很简单的事]拖到了[第二天|下周|一个星期以后]",
            "[效率|速度|处理速度]{very}[低|慢]",
            "[等了|干等]{hours}[都没人|也没人][来|理|处理]",
        ],
        "mild": [
            "[等的时间|等待时间|排队时间][稍微|][有点|略]长",
            "比[说好的|约定的|预约的][晚了一点|晚了半小时|晚了一会儿|迟了一些]",
            "[速度|效率|进度][慢了点|稍微慢了些|有点慢]",
            "[上门|来得|到得][稍微|有点][晚|迟]",
            "[排队|等号|等待][花了|用了][点|不少]时间",
        ],
        "suggest": [
            "建议[提高效率|缩短等待时间|多安排几个人手|高峰期多开几个窗口|准时一点]",
            "希望下次[能准时|快一点|按约定时间来|不用等那么久]",
            "[要是|如果]能[再快一点|准时一点|少等一会]就更好了",
        ],
    },
    "price": {
        "strong": [
            "[收费|价格|要价]{very}[贵|离谱|黑|高]",
            "[乱收费|漫天要价|简直是宰客|就是坑人|明摆着坑钱]",
            "{fee}[收了|要了|算了]{amount}[元|块]，[太离谱了|简直抢钱|比外面贵多了|凭什么]",
            "[结账|结算|付钱]的时候比[预估的|报价|说好的]多了{amount}[块|元]",
            "[没经过我同意|也不跟我商量|没问我一声|自作主张]就[加了项目|多收了钱|加了好几个项目|多算了钱]",
            "[收费|账单|价格]不透明，[也没有明细|不知道钱花在哪了|说不清收的什么钱]",
            "[多了|莫名其妙多了|凭空多出]一笔{fee}",
            "[有隐藏收费|偷偷扣了费|乱扣费|私自扣费]",
            "同样的{svc}比[别家|外面|别的地方]贵了[一倍|一大截|好几百]",
            "[报价|说好|讲好]{amount}，[结果|最后][收了|变成了|要了]{amount2}",
            "{fee}[这么贵|贵得离谱|高得吓人]，[谁受得了|真当我们好骗|太黑了]",
            "[事先说免费|说好不收钱|说是免费的]，[结果|最后|到头来]还是收了{fee}",
            "一个小毛病[收了|花了|要了]{amount}[块|元]",
            "[每个月|这个月|上个月][莫名其妙|无缘无故|不明不白]多扣了[十几块|几十块|一百多]",
            "[账单|收费单|结算单][看不懂|乱七八糟|一堆看不懂的项目]",
            "[价格|收费|{fee}]比[网上|别家|外面][贵多了|贵了不少|贵一倍]",
            "[一点小活|换个小零件|拧几个螺丝]要[好几百|这么多钱|几百块]",
        ],
        "mild": [
            "[价格|收费|费用][有点|稍微有点|略|还是有点]贵",
            "{fee}[稍微|有点|][高了点|贵了点]",
            "[性价比|价格][一般|不算高|一般般]",
            "[收费|价格|费用]比[预想的|我想的|预期][贵了一些|高了点]",
            "{fee}[有点|略微|稍微]偏高",
        ],
        "suggest": [
            "建议[价格再透明一点|提前告知费用|出个价目表|收费开个明细]",
            "希望[收费能便宜点|多搞点优惠活动|{fee}能降一点|价格实惠一点]",
            "[收费标准|价目表|费用明细]能不能[公示一下|提前给看看|写清楚]",
        ],
    },
    "communication": {
        "strong": [
            "[事先|提前][没通知我|没告诉我|没跟我说一声|招呼都没打|一点消息都没有]",
            "[打|拨][{hotline}|电话][一直没人接|根本打不通|总是占线|永远在排队]",
            "[说好|答应|讲好]回电话，[结果|可是|]{days}[没消息|都没人回|一个电话都没有]",
            "[承诺的|答应的|说好的][事|东西|事情][没兑现|一样都没做到|全都没兑现]",
            "[每个人|前台和师傅|客服和{staff}|不同的人]说的[都不一样|不一致|互相矛盾]",
            "[问原因|问怎么回事|问情况]{staff}[也不解释|说不清楚|含糊其辞|支支吾吾]",
            "[改|换|调整]了[时间|方案|项目|人]也不[说一声|通知一下|告诉我]",
            "[进度|处理结果|办到哪了][怎么样了|]也没人告诉我",
            "[发的短信|通知|公告]写得[不清不楚|前后矛盾|看不懂]",
            "[做了什么|换了什么|收了什么]都不跟我说",
            "[联系不上|找不到|联系不到]{staff}，[发消息也不回|电话也不接|消息不回]",
            "[停电|停水|停网|关门|调课]也不提前[通知|说|告知]",
            "[一问三不知|问什么都说不知道|啥都说不清楚]",
            "[让我等通知|说会通知我|说有消息告诉我]，[结果|可]一直没[下文|动静|消息]",
            "[问题|事情][反映上去|报上去][就石沉大海了|就没下文了|一直没人跟进]",
            "[转了|换了][好几个人|五六个人|好几个部门][都说不清楚|谁也说不明白]",
            "[人工客服|客服|热线][转不过去|一直转不了|永远在排队|没人接]",
            "[电话|{hotline}]打了[好多|十几|无数]遍都[是忙音|没人接]",
            "[当初|办的时候|签的时候][没说|没告诉我|只字未提][有这个规定|有等待期|要预约|有限制]",
            "[说好的|答应的][回访|回电|上门时间][也没有|都没兑现|一次也没兑现]",
            "[不打招呼|招呼都不打|一声不吭]就[改了时间|换了人|改了方案]",
            "[没人跟进|没人跟我说|没有任何反馈]",
        ],
        "mild": [
            "[解释得|说得|讲得][不太清楚|有点含糊|不够清楚]",
            "[通知|回复|反馈][稍微|有点][晚了|慢了]",
            "[进度|情况|结果]要我自己去问才知道",
            "[回消息|回电话][有点慢|不太及时|慢了点]",
        ],
        "suggest": [
            "建议[提前打个电话|及时告知进度|把情况解释清楚|做之前先说明一下]",
            "希望[有进度能及时通知|多沟通|回电话快一点|有变动提前说]",
            "[有变动|改时间的话|有进展]能不能[提前说一声|发个短信|告诉我一声]",
        ],
    },
    "parts": {
        "strong": [
            "{part}[没货|缺货|断货]，[要等|等了|得等]{days}",
            "[等配件|等{part}|等零件][等了|就等了]{days}",
            "[换的|新换的|装的]{part}[质量太差|用了{days}就不行了|是翻新的|是旧的]",
            "{part}[不是原厂的|是副厂件|来路不明|是假货]",
            "[产品|{obj}]本身[就有问题|质量不行|是次品|就是坏的]",
            "[配件|{part}|零件][一直没到|迟迟不到|调了{days}还没到]",
            "[拿错了|装错了|发错了|换错了]{part}",
            "新[买的|装的|换的]{obj}[就是坏的|有质量问题|毛病一堆]",
            "[配件|零件|{part}]要从[外地|厂家|总部]调，[等了|得等]{days}",
            "[用的|换的][配件|零件|材料][质量差|是便宜货|不是正品]",
            "[产品|{obj}][本身|自己][毛病多|问题多|设计有缺陷]",
        ],
        "mild": [
            "{part}[要等几天|暂时没货|得订货]，有点不方便",
            "{part}[做工一般|质量一般|用料一般]",
            "[配件|零件][要订货|得等几天|要调货]，稍微[麻烦|不方便]",
        ],
        "suggest": [
            "建议[常用配件多备点货|{part}多备一些|配件库存多备点]",
            "希望{part}能[用好一点的|备足货|快点到]",
        ],
    },
    "environment": {
        "strong": [
            "{env_bad}",
            "{area}[又脏又乱|卫生太差|一股味|乱糟糟的|挤得要命|人挤人|连个座位都没有|座位太少|又闷又热|太吵了|灯都坏了]",
            "{place}[又脏又乱|卫生太差|味道很难闻|环境太差]",
            "[停车|找车位|停车位][太难了|要转好几圈|根本没有|特别难找]",
            "[设施|设备|座椅|叫号机|自助机][太旧了|老掉牙|坏了也没人修|都是坏的]",
            "[厕所|洗手间|卫生间][脏得没法进|连纸都没有|一股味|没人打扫]",
            "{area}[空调|暖气][不开|坏了]，[热得要死|冷得要命|闷得慌]",
        ],
        "mild": [
            "{area}[小了点|座位有点少|有点挤|稍微小了些]",
            "[停车|车位|停车场][稍微|有点]不方便",
            "{area}[有点吵|稍微有点乱|有点闷|不太干净]",
        ],
        "suggest": [
            "建议[{area}放点水|{area}多设几个座位|改善一下停车|把卫生间打扫干净点]",
            "希望[{area}再整洁一点|{area}能装个空调|多几个停车位]",
            "{area}能不能[放点饮用水|多摆几把椅子|开个空调]",
        ],
    },
    "process": {
        "strong": [
            "{proc_bad}{very}[繁琐|麻烦|复杂|折腾人]",
            "[跑了|来回跑了|前前后后跑了]{runs}[才办完|还没办好|还没办成]",
            "要的{paper}[一会儿一个说法|说不清楚|来回让我补交|每次都不一样]",
            "[预约|挂号|约时间|排号][太难了|总约不上|系统老出问题|根本约不到]",
            "[光|单是|光是]签字就签了[七八个|十几个|一堆]",
            "[材料|资料|证件]要求不[说清楚|讲明白]，[白跑一趟|害我多跑了一趟]",
            "[一点小事|一个小问题|办个小业务][要找好几个部门|要盖好几个章|要跑好几个窗口]",
            "[必须|非要|一定要]本人到场，[太不方便了|不能线上办|代办都不行]",
            "{proc_bad}[卡住了|办不下来|办了半天没办成]，[每个环节都要等|互相让我找别人]",
            "[线上|手机上|网上]办不了，[非得|一定要|只能]{visit}",
            "[办个|一个]{proc_bad}要跑{runs}",
            "[规定|要求|流程][太死板|不合理|一会儿一个样]",
            "[表格|单子|申请表][要填|填了][一大堆|好几份|好多张]",
            "[每次|每回]都[要|得]重新[排队|登记|取号|填表]",
        ],
        "mild": [
            "{proc_bad}[有点|稍微|略微][繁琐|麻烦|复杂]",
            "[预约|排号|挂号|取号][有点|稍微有点|还是有点][麻烦|费劲|不方便]",
            "[要填的表|要带的材料|要签的字][多了点|有点多]",
        ],
        "suggest": [
            "建议[简化手续|开通线上办理|一次性告知要带的材料|减少签字]",
            "希望{proc_bad}能[简单点|简化一下|在线上办]",
            "[要是|如果]能[线上办|在手机上办|一次办完]就好了",
        ],
    },
    "other": {
        "strong": [
            "[送的|说好的|答应的]{freebie}[没给|到现在没收到|说没就没了]",
            "[天天|老是|三天两头|一天好几个电话]打电话推销{product}",
            "[App|小程序|公众号|官网][老是闪退|登不上去|根本不能用|一直报错]",
            "[广告短信|营销短信|推销短信][发个不停|太多了|退订了还在发]",
            "[回访电话|问卷|满意度调查][太多了|一天打好几个|烦死了]",
            "[发票|收据][开错了|一直没给我|到现在没开]",
            "[硬要|非要|强行]我[办|买|开通]{product}",
            "[积分|会员权益|优惠券][莫名其妙没了|到期也不提醒|用不了]",
            "[活动|优惠|促销][规则看不懂|说变就变|说话不算数]",
        ],
        "mild": [
            "[问卷|回访|调查][有点长|有点多|稍微多了点]",
            "[推销|广告|营销短信][稍微|有点]多",
        ],
        "suggest": [
            "建议[少发点广告短信|App做得好用点|别老打推销电话]",
            "希望[推销电话少一点|广告短信少发点]",
        ],
    },
}
# Dissatisfaction without a cause: category "other" only when no other category applies.
GENERIC: dict[str, list[str]] = {
    "strong": [
        "[太差了|垃圾|糟透了|差劲|太烂了|一塌糊涂][服务|]",
        "[非常不满意|很不满意|不满意|特别不满意|极其不满]",
        "[我要找|叫|把]你们[经理|领导|负责人][出来|来|叫来]",
        "[我要|我想]投诉[你们|这个{staff}|他|这件事]",
        "[太让人失望了|失望透顶|气死我了]",
    ],
    "mild": ["[不太满意|有点失望|不怎么满意|有点不满意|不算满意]"],
}

HIGH: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    # (template, categories the clause itself carries)
    "external": [
        ("[再不|要是不|如果还不][解决|处理|给个说法]，我就[打12315|找消协|投诉到{target}|找媒体曝光|找律师|去法院起诉你们]", ()),
        ("我[已经|准备|马上就]打12315了", ()),
        ("[这事|这个事][我会|我要]反映到{target}", ()),
        ("[我要|我会]去消协投诉", ()),
        ("[大不了|实在不行]就[起诉|打官司|法院见]", ()),
        ("我会[发到网上|发微博|发抖音|发小红书]让大家评评理", ()),
        ("[我已经|我会]联系[记者|电视台]", ()),
        ("[直接|我要]向{target}投诉你们", ()),
        ("[这种|这样的]服务[就该曝光|必须曝光出去]", ()),
        ("[我要|我会]去{regulator}[举报|投诉]", ()),
        ("[我已经|我]咨询过律师了", ()),
        ("不行就[找|打]{regulator}", ()),
        ("[我会|我要|准备]把[这事|这件事|经过][发到网上|挂到网上|发朋友圈]", ()),
        ("[明天|今天]不给答复我就[去{regulator}|打12315|找记者]", ()),
    ],
    "safety": [
        ("{safety}", ("quality",)),
        ("[修完|弄完|装完][没几天|回去就]{safety}，[太危险了|差点出事|吓死人了]", ("quality",)),
        ("[这可是|这是]安全问题，{safety}", ("quality",)),
        ("{safety}，[万一出事谁负责|有安全隐患|出了人命谁负责]", ("quality",)),
        ("[刚|才][修完|弄好]{safety}，[吓得我|我家人都]不敢用了", ("quality",)),
    ],
    "repeat": [
        ("[修完|刚修好][没几天|不到一周|才两天]{obj}又坏了", ("quality",)),
        ("{fault}又[出现|犯]了", ("quality",)),
        ("同样的问题[修了|报修了]{times}", ("quality",)),
        ("这已经是第{nth}次[返修|来修|报修]了", ("quality",)),
        ("[老毛病|老问题][又来了|一直没解决]", ("quality",)),
        ("[反复|来来回回]修了{times}[都没修好|还是那样]", ("quality",)),
        ("[返修|返工]了{times}", ("quality",)),
        ("修了又坏，坏了又修", ("quality",)),
        ("[修好|修完][没两天|没多久|不到一个月]就[又|]坏了", ("quality",)),
        ("[上个月|上次]刚修过，[现在|这次]{fault}又[来了|出现了]", ("quality",)),
    ],
    "refund": [
        ("[我要求|必须|请][退款|全额退款|把钱退了|退钱|退费|赔偿损失|赔钱|给个补偿]", ()),
        ("[退款|退钱|赔偿]，[否则|不然]这事没完", ()),
        ("[多收的钱|{fee}][必须|要][退给我|退回来]", ()),
        ("[耽误的时间|造成的损失|误工费]你们得赔", ()),
        ("[要求|希望][给个|给点][补偿|赔偿]", ()),
        ("[这钱|这笔钱|{fee}]我[不认|不交]，[退给我|必须退]", ()),
    ],
}

PRAISE: list[str] = [
    "{staff}[态度|服务态度][很好|特别好|没得说|真不错|非常好]",
    "{staff}[很热情|很耐心|很专业|很负责|很细心|很用心|很贴心|很实在|很给力|很靠谱|挺有礼貌的|人很好|服务很周到]",
    "[{staff}|师傅]技术[很好|过硬|没得说|很专业]",
    "[服务|这次服务|整体服务|你们的服务][很好|不错|很满意|挺好的|非常到位|很周到|没话说|让人放心]",
    "[速度|效率|处理速度][很快|挺高的|没得说|比想象中快]",
    "{staff}[讲解|解释]得[很清楚|很详细|明明白白]",
    "[价格|收费][公道|合理|透明|实在|不贵]",
    "[环境|{place}|{area}][干净整洁|很舒服|挺不错|很干净]",
    "[问题|{fault}的问题|毛病][一次就|很快就|当天就]解决了",
    "[非常满意|很满意|挺满意|特别满意|五星好评|给你们点赞|辛苦了|谢谢师傅|感谢你们|谢谢你们|好评|满分]",
    "[按时|准时|提前]到了",
    "[修得|弄得|做得|装得|处理得]很[好|仔细|到位|漂亮|干净利落]",
    "[手续|流程][很简单|很方便|很顺利]，[一次就办好了|很快]",
    "电话一打就通，[回复也快|马上有人处理]",
    "{staff}[主动|提前|及时]打电话[说明情况|告知进度|确认时间]",
    "[整体|总体|总的来说][还是|]很[满意|不错]",
    "[服务|体验]比[上次|以前]好多了",
    "[走的时候|干完活]还把[现场|地面|垃圾]收拾得干干净净",
    "[每一步|做了什么]都跟我说得清清楚楚",
    "[有问题|有事]找{staff}都[很快回复|马上处理]",
    "[下次|以后][还来|还找你们|还会选你们]",
    "[会推荐给朋友|已经推荐给家人了]",
    "{staff}[很有耐心地|一步一步]教我[怎么用|怎么操作|怎么办]",
    "[没让我多跑一趟|全程没让我操心|省了我很多事]",
    "[对老人|对孩子][特别|很][耐心|照顾|温柔]",
    "[大热天|下着雨|大晚上][还|]按时上门，辛苦了",
    "[很|非常|特别]感谢{staff}",
    "[服务|处理][及时|周到|到位]，[给个好评|点个赞]",
    "[半个小时|一个小时|两个小时|不到一小时|当天|第二天一早]就[到了|修好了|处理好了|办好了|来电了|恢复了]",
    "[大半夜|周末|节假日|下大雨][也|还][来了|帮忙处理|上门了]，[很感动|辛苦了|真不容易]",
    "{staff}顺便帮我[检查了一下{obj}|把旁边的小毛病也弄好了|调试好了]",
    "{staff}还提醒我[平时怎么保养|注意安全|下次什么时候来]",
    "[干了|忙了|弄了][一个多小时|两个小时|一下午]，[一点都不马虎|很认真|没喊一声累]",
    "[等了|排了][一会儿|几分钟|没多久]就[轮到我了|办好了]",
    "[比上次|比以前|比别家][快多了|专业多了|省心多了]",
]
NEUTRAL: list[str] = [
    "[还行|还可以|一般|一般般|就那样|马马虎虎|凑合|中规中矩|说得过去|过得去][吧|]",
    "[没什么意见|没啥说的|没有别的|没什么特别的|没什么要说的|暂时没有意见]",
    "[已经|]{svc}完了[，暂时没发现问题|，还要再观察|]",
    "[收到|好的|知道了|嗯嗯|行|好]",
    "[还没用几天|刚弄好|才装好|刚办完]，[暂时|]还[看不出来|不好说]",
    "[跟以前差不多|和平时一样|跟上次一样]",
    "给[3|三][分|星]吧",
    "[问题|事情][算是|也][处理了|解决了]",
    "[正常|一切正常|能用就行]",
    "[不清楚|不太清楚|不知道]，是[家里人|我爱人|我爸妈|同事|朋友][去|帮我]办的",
    "说不上[好也说不上坏|满意也说不上不满意]",
    "[已经|刚刚][处理完了|修完了|办完了]，[等用几天|过段时间][再看|再说]",
    "[没用过几次|用得不多]，[没什么感觉|说不好]",
]
OPENERS: list[str] = [
    "[说实话|讲真|怎么说呢|老实讲|我想反馈一下|唉|哎|你好|您好|跟你们说一下|我说两句|反馈一下|那个]，",
    "[上周|前天|昨天|这个月|上个月|周末|前几天|月初]{svc}[的时候|]，",
    "[这次|上次]{svc}，",
    "关于[这次|上次]的{svc}，",
]
RATINGS: dict[str, list[str]] = {
    "positive": ["[给|打][5|五|4|四|10|9][分|星]，", "[五星|满分|五颗星]，"],
    "neutral": ["[给|打][3|三][分|星]，"],
    "low": ["[给|打][4|四|3|三][分|星]，"],
    "medium": ["[给|打][1|一|2|两|二][分|星]，", "[一星|差评|一颗星]，"],
    "high": ["[给|打][1|一|0|零]分，", "[一星|差评|零分]，"],
}
CLOSERS: dict[str, list[str]] = {
    "medium": ["[真的|实在|太][失望|无语|气人|窝火][了|]", "希望你们[重视|改进|好好反省|给个解释]",
               "[下次|以后][不会再来了|再也不来了|不会再找你们了]", "[给个差评|差评]",
               "[请|麻烦][尽快|赶紧][处理|回复|给个说法]", "[体验|感受][很差|极差|糟透了]"],
    "high": ["[请|麻烦]今天[给我|必须给][答复|说法]", "[这事|这件事]没完",
             "[别再|不要再]敷衍我了", "[我等|等]你们的[说法|答复]", "[马上|尽快][处理|给我打电话]"],
    "low": ["[希望|建议][改进|注意]一下", "[供|仅供]参考", "[提个|一点]小[意见|建议]",
            "[小问题|不是大事][而已|]"],
    "positive": ["[谢谢|辛苦了|感谢][啦|了|]", "[下次|以后][还来|还找你们]",
                 "[推荐给朋友了|会推荐给朋友]", "[点赞|继续保持|加油]"],
    "neutral": ["[就|先|暂时][这样|这些][吧|了|]", "没[别的|其他][了|事了|的了]"],
}
BUT = "[但是|不过|就是|只是|可惜|美中不足的是|唯一不满意的是|但]"
AND = "[而且|还有|另外|再加上|并且|]"

# Categories an industry cannot have (no venue for environment, no parts).
UNAVAILABLE = {"parts": {"insurance", "hospital", "bank", "training"},
               "environment": {"appliance"}}


@dataclass(frozen=True)
class Clause:
    text: str
    categories: tuple[str, ...]
    kind: str  # praise | neutral | suggest | mild | strong | high


class Realiser:
    """Fills templates for one split, accepting only realisations hashed into that split."""

    def __init__(self, rng: random.Random, split: str) -> None:
        self.rng = rng
        self.buckets = BUCKETS[split]

    def fill(self, template: str, slots: dict[str, list[str]]) -> str:
        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in ("amount", "amount2"):
                return str(self.rng.choice([80, 120, 150, 200, 260, 300, 380, 450, 500, 680,
                                            800, 1200, 1500, 2000, 2600, 3000]))
            return self.choose(slots[name])

        text = re.sub(r"\{(\w+)\}", slot, template)
        text = re.sub(r"\{(\w+)\}", slot, text)
        while "[" in text:
            text = re.sub(r"\[([^\[\]]*)\]", lambda m: self.choose(m.group(1).split("|")), text)
        return text

    def choose(self, options: list[str]) -> str:
        """Earlier options are more common, as in real speech (Zipf-like weights)."""
        return self.rng.choices(options, weights=[1 / (i + 1) for i in range(len(options))])[0]

    def pick(self, templates: list[str], slots: dict[str, list[str]]) -> str | None:
        usable = [t for t in templates
                  if all(name in slots or name in ("amount", "amount2")
                         for name in re.findall(r"\{(\w+)\}", t))]
        if not usable:
            return None
        for _ in range(60):
            text = self.fill(self.rng.choice(usable), slots)
            if bucket(text) in self.buckets:
                return text
        return None


def bucket(text: str) -> int:
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % 100


class Composer:
    def __init__(self, rng: random.Random, split: str) -> None:
        self.rng = rng
        self.realiser = Realiser(rng, split)

    def _slots(self, industry: str) -> dict[str, list[str]]:
        return {**COMMON_SLOTS, **INDUSTRIES[industry]}

    def complaint(self, industry: str, kind: str, exclude: set[str]) -> Clause | None:
        codes = [c for c in COMPLAINTS if c not in exclude
                 and industry not in UNAVAILABLE.get(c, set())]
        if kind in GENERIC and "generic" not in exclude and self.rng.random() < 0.1:
            text = self.realiser.pick(GENERIC[kind], self._slots(industry))
            return Clause(text, ("generic",), kind) if text else None
        code = self.rng.choice(codes)
        text = self.realiser.pick(COMPLAINTS[code][kind], self._slots(industry))
        return Clause(text, (code,), kind) if text else None

    def high(self, industry: str) -> Clause | None:
        signal = self.rng.choice(["external", "external", "safety", "repeat", "refund"])
        if signal == "repeat" and "part" not in INDUSTRIES[industry]:
            return None  # only repairs fail again
        templates = HIGH[signal]
        template, categories = self.rng.choice(templates)
        text = self.realiser.pick([template], self._slots(industry))
        return Clause(text, categories, "high") if text else None

    def simple(self, templates: list[str], industry: str, kind: str) -> Clause | None:
        text = self.realiser.pick(templates, self._slots(industry))
        return Clause(text, (), kind) if text else None


COMPLAINT_KINDS = {"mild", "strong", "high"}


def labels(clauses: list[Clause]) -> tuple[list[str], str, str]:
    """Categories only for complaint clauses (a suggestion is no complaint); praise next to a
    complaint makes the text mixed."""
    kinds = {c.kind for c in clauses}
    complaining = bool(kinds & COMPLAINT_KINDS)
    categories = sorted({code for c in clauses if c.kind in COMPLAINT_KINDS
                         for code in c.categories} - {"generic"})
    if not categories and complaining:
        categories = ["other"]  # dissatisfied, but about nothing more specific
    severity = ("high" if "high" in kinds else "medium" if "strong" in kinds
                else "low" if kinds & {"mild", "suggest"} else "none")
    if complaining:
        sentiment = "mixed" if "praise" in kinds else "negative"
    elif "praise" in kinds:
        sentiment = "positive"
        severity = "none"  # docs/labeling-guide.md: praise is none, even with a suggestion
    else:
        sentiment = "neutral"
    return categories, sentiment, severity


def recipe_texts(composer: Composer, industry: str) -> tuple[list[Clause], str] | None:
    """One text: pick a recipe, compose its clauses, glue them in a natural order."""
    rng = composer.rng
    recipe = rng.choices(
        ["praise", "neutral", "suggest", "praise_suggest", "praise_mild", "praise_strong",
         "strong", "several", "mild", "complaint_high", "high", "story"],
        weights=[11, 5, 5, 7, 8, 7, 15, 13, 5, 14, 4, 10])[0]
    picked: list[Clause | None] = []
    connectors: list[str] = []
    used: set[str] = set()

    def complaint(kind: str) -> None:
        clause = composer.complaint(industry, kind, used)
        if clause:
            used.update(clause.categories)
        picked.append(clause)

    if recipe == "praise":
        picked = [composer.simple(PRAISE, industry, "praise")
                  for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    elif recipe == "neutral":
        picked = [composer.simple(NEUTRAL, industry, "neutral")]
    elif recipe == "suggest":
        complaint("suggest")
    elif recipe in ("praise_suggest", "praise_mild", "praise_strong"):
        picked.append(composer.simple(PRAISE, industry, "praise"))
        complaint(recipe.split("_")[1])
        connectors.append(BUT if recipe != "praise_suggest" else "[，|。|，另外|，就是]")
    elif recipe == "strong":
        complaint("strong")
    elif recipe == "mild":
        complaint("mild")
    elif recipe == "several":
        for _ in range(rng.choice([2, 2, 3])):
            complaint(rng.choice(["strong", "strong", "mild"]))
            connectors.append(AND)
    elif recipe == "complaint_high":
        for _ in range(rng.choice([1, 1, 2])):
            complaint("strong")
        picked.append(composer.high(industry))
    elif recipe == "high":
        picked.append(composer.high(industry))
    else:  # story: a longer paragraph with context, several complaints, maybe a threat
        for _ in range(rng.choice([2, 3, 3, 4])):
            complaint(rng.choice(["strong", "strong", "mild"]))
            connectors.append(AND)
        if rng.random() < 0.4:
            picked.append(composer.high(industry))
    if any(c is None for c in picked) or not picked:
        return None
    clauses = [c for c in picked if c is not None]
    _, sentiment, severity = labels(clauses)
    parts = [clauses[0].text]
    for index, clause in enumerate(clauses[1:]):
        glue = composer.realiser.fill(connectors[index], {}) if index < len(connectors) else ""
        if glue.startswith(("，", "。")):
            parts.append(glue + clause.text)
        elif glue:
            parts.append(rng.choice(["，", "，", "。", ""]) + glue + clause.text)
        else:
            parts.append(rng.choice(["，", "，", "。", "！"]) + clause.text)
    text = "".join(parts)
    if recipe in ("praise_mild", "praise_strong") and rng.random() < 0.2:
        text = "虽然" + text
    if recipe == "story" or rng.random() < 0.25:
        opener = composer.simple(OPENERS, industry, "neutral")
        if opener:
            text = opener.text + text
    tone = sentiment if sentiment in ("positive", "neutral") else severity
    if rng.random() < 0.12:
        rating = composer.simple(RATINGS[tone], industry, "neutral")
        if rating:
            text = rating.text + text
    if rng.random() < (0.6 if recipe == "story" else 0.3):
        closer = composer.simple(CLOSERS[tone], industry, "neutral")
        if closer:
            text += rng.choice(["。", "！", "，"]) + closer.text
    return clauses, finish(text, rng, sentiment)


def finish(text: str, rng: random.Random, sentiment: str) -> str:
    """Everyday punctuation: trailing marks, half-width commas, no punctuation at all."""
    roll = rng.random()
    if roll < 0.08:
        text = text.replace("，", " ")
    elif roll < 0.14:
        text = text.replace("，", ",")
    if sentiment in ("negative", "mixed"):
        end = rng.choice(["。", "！", "！！", "", "...", "。", "？！"])
    else:
        end = rng.choice(["。", "", "！", "~", "。"])
    return text + end


def generate_split(split: str, size: int, rng: random.Random,
                   seen: set[str]) -> list[dict[str, object]]:
    composer = Composer(rng, split)
    to_traditional = OpenCC("s2t")
    rows: list[dict[str, object]] = []
    while len(rows) < size:
        industry = rng.choice(list(INDUSTRIES))
        made = recipe_texts(composer, industry)
        if made is None:
            continue
        clauses, text = made
        if text in seen:
            continue
        seen.add(text)
        categories, sentiment, severity = labels(clauses)
        if rng.random() < TRADITIONAL_SHARE:
            text = to_traditional.convert(text)
        rows.append({"text": text, "categories": categories, "sentiment": sentiment,
                     "severity": severity, "source": f"template:{industry}"})
    return rows


SENTENCE_END = re.compile(r"[。！？!?…\n]+|\.{3,}")
_to_simplified: Callable[[str], str] = OpenCC("t2s").convert


def sentences(text: str) -> set[str]:
    """Normalised sentences of a text (Simplified, no punctuation or spaces)."""
    found = set()
    for sentence in SENTENCE_END.split(_to_simplified(text)):
        normal = re.sub(r"[\s，,、；;：:~\"'“”‘’（）()]+", "", sentence)
        if normal:
            found.add(normal)
    return found


def main(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    seen: set[str] = set()
    splits = {name: generate_split(name, size, rng, seen) for name, size in SIZES.items()}
    train_sentences = set().union(*(sentences(str(r["text"])) for r in splits["train"]))
    splits["test"] = [r for r in splits["test"]
                      if not sentences(str(r["text"])) & train_sentences]
    for name, rows in splits.items():
        rng.shuffle(rows)
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} texts")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write train/test.jsonl (fixed seed).")
    parser.add_argument("--out", type=Path, default=HERE, help="directory (default: here)")
    main(parser.parse_args().out)
