package forms

import (
	"fmt"
	"time"
)

// Sample content for the forms whose records the app does not store yet
// (`anchang print FORM --demo`): realistic, so a printed demo shows how the
// form reads when it is full.

// DemoServiceLog is a week of the reception/complaint record ending on the
// day of now.
func DemoServiceLog(now time.Time) ServiceLog {
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	start := end.AddDate(0, 0, -6)
	at := func(day, h, m int) time.Time {
		return start.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	e := []ServiceEntry{
		{at(0, 9, 40), "售楼处前台", "张伟 3-1202", "138****5678", "报修", "工程部", "入住后发现主卫地漏返味，夜间明显。", "尽快处理，不影响正常使用。", "工程部当日上门更换防臭地漏，业主确认已无异味。"},
		{at(0, 14, 5), "5号楼大堂", "李娜 5-0801", "139****2231", "投诉", "物业服务中心", "电梯按键多次失灵，物业报修两次未修好。", "三天内彻底修复，给出维修记录。", "已通知电梯维保单位，次日更换按键板；3日内回访。"},
		{at(1, 10, 30), "售楼处洽谈区", "王秀英 2-1501", "136****9012", "接待", "", "咨询交房时间、面积补差和契税缴纳流程。", "了解具体时间和所需材料。", "已说明交付通知安排及补差计算方式，提供交付指引。"},
		{at(1, 16, 20), "电话", "刘洋 7-0302", "187****3345", "投诉", "销售部 陈思远", "签约时承诺赠送车位使用权一年，合同中未体现。", "书面确认赠送条款。", "核实销售记录后由销售经理回复，2个工作日内给出书面答复。"},
		{at(2, 11, 0), "售楼处前台", "陈静 1-0605", "135****7788", "报修", "工程部", "次卧窗户关闭不严，下雨渗水，窗台墙面起皮。", "修好窗户并修补墙面。", "更换窗扇密封条、调整五金；墙面待干燥后修补，已约复验。"},
		{at(3, 9, 15), "小区南门", "欧阳明月 6-2101", "158****6620", "接待", "", "询问装修管理规定与装修押金退还时间。", "", "提供装修指南，说明押金在竣工验收合格后退还。"},
		{at(3, 15, 45), "售楼处前台", "赵磊 4-1103", "182****4410", "投诉", "物业服务中心 保安部", "夜间地库照明不足，车辆被刮擦后调不到监控。", "增加照明，协助查找监控。", "已调取监控并报警处理；地库照明本周内增补。升级至项目经理跟进。"},
		{at(4, 10, 10), "电话", "黄磊 3-0901", "139****1209", "报修", "工程部", "厨房燃气表旁墙面有裂缝，担心燃气安全。", "上门检查燃气管道安全。", "燃气公司与工程部联合检查，管道无泄漏，裂缝为抹灰层，已修补。"},
		{at(5, 13, 30), "售楼处洽谈区", "孙丽 8-1704", "133****8871", "接待", "", "想了解老带新推荐奖励的领取方式。", "", "说明奖励规则，登记推荐客户信息，由销售部跟进。"},
		{at(6, 10, 50), "售楼处前台", "周强 2-0203", "176****5530", "投诉", "物业服务中心", "楼上装修噪音在午休时间持续，多次沟通无效。", "按装修管理规定约束施工时间。", "已向装修户发整改通知并加强巡查；当日回访业主表示满意。"},
	}
	return ServiceLog{Period: start.Format(time.DateOnly) + " 至 " + end.Format(time.DateOnly), Entries: e, Blank: 4}
}

// DemoRevisit is the revisit three days after the lift complaint of the
// demo reception/complaint record.
func DemoRevisit(now time.Time) Revisit {
	return Revisit{
		Owner: "李娜", Unit: "5号楼 0801", Contact: "139****2231", Kind: "投诉处理后", Ticket: "TS-20261117-003",
		Method: "电话 Phone", At: time.Date(now.Year(), now.Month(), now.Day(), 10, 20, 0, 0, now.Location()), By: "张敏",
		Quality:      "电梯按键板已更换，连续三天使用正常，维保单位提供了维修记录。",
		Effect:       "处理及时，物业在投诉次日即安排维修，并主动告知进度。",
		Satisfaction: 4,
		Shortcomings: "第一次报修时未登记，导致重复报修。",
		Suggestions:  "希望报修后能收到短信通知和维修完成提醒。",
		Result:       "业主满意，投诉关闭。报修登记遗漏问题转物业服务中心改进。",
	}
}

var inspectionRooms = []string{"入户门", "客厅", "餐厅", "主卧", "次卧", "书房", "厨房", "主卫", "次卫", "阳台"}

var inspectionItems = []struct{ item, standard string }{
	{"墙面", "平整，无空鼓、开裂、起砂、污渍，阴阳角顺直"},
	{"地面", "平整无空鼓、裂缝，地砖/地板无破损，缝隙均匀"},
	{"顶棚", "无裂缝、渗水痕迹，涂料颜色均匀"},
	{"门及门套", "开关灵活，无异响，门缝均匀，五金齐全"},
	{"窗及窗框", "开启顺畅，密封条完好，关闭严密，玻璃无划伤"},
	{"插座", "通电正常，面板安装牢固、水平，接地正确"},
	{"开关及灯具", "开关灵活，控制正确，灯具点亮"},
	{"踢脚线", "安装牢固，与墙面无缝隙"},
	{"排水", "地漏/下水通畅，无返味、无渗漏"},
	{"给水", "冷热水管无渗漏，水压正常"},
	{"弱电", "网络、电视、对讲插口齐全可用"},
	{"其他", "无遗留垃圾，成品保护完好"},
}

// InspectionTemplate is the standard handover checklist: every item of
// every room, 120 in all, with no results. Until checklist templates come
// from HQ, this is the one the forms print.
func InspectionTemplate() []CheckItem {
	out := make([]CheckItem, 0, len(inspectionRooms)*len(inspectionItems))
	for _, room := range inspectionRooms {
		for _, it := range inspectionItems {
			out = append(out, CheckItem{Room: room, Item: it.item, Standard: it.standard})
		}
	}
	return out
}

// DemoInspection is a 120-item handover inspection with 10 defects.
func DemoInspection(now time.Time) Inspection {
	in := Inspection{Project: "星河湾二期", Unit: "3号楼 二单元 1202", Owner: "王秀英", Staff: "林晓雯",
		At:     time.Date(now.Year(), now.Month(), now.Day(), 14, 30, 0, 0, now.Location()),
		Meters: []Reading{{"水表 Water", "0003.2 m³"}, {"电表 Power", "0012.6 kWh"}, {"燃气表 Gas", "0000.8 m³"}},
		Keys:   "入户门钥匙 3 把，信箱钥匙 2 把，门禁卡 2 张"}
	defects := map[int]Defect{
		3:   {"入户门", "入户门关闭时下沿摩擦门槛石，有异响。", "门业供应商", "", ""},
		13:  {"客厅", "客厅东墙距地约 1.2 m 处墙面空鼓约 0.3 ㎡，敲击有空响。", "土建总包", "", ""},
		17:  {"客厅", "客厅南侧推拉窗关闭不严，密封条脱落约 40 cm。", "门窗分包", "", ""},
		30:  {"餐厅", "餐厅顶棚近厨房处有一道约 50 cm 发丝裂缝。", "土建总包", "", ""},
		41:  {"主卧", "主卧飘窗玻璃内侧有划痕，长约 8 cm。", "门窗分包", "", ""},
		54:  {"次卧", "次卧床头左侧插座无电。", "机电分包", "", ""},
		75:  {"厨房", "厨房地漏下水缓慢，注水后约 2 分钟才排尽。", "机电分包", "", ""},
		85:  {"主卫", "主卫淋浴区地砖有 2 块空鼓，其中 1 块边角破损。", "精装分包", "", ""},
		93:  {"次卫", "次卫台盆下水软管接口渗水。", "精装分包", "", ""},
		113: {"阳台", "阳台栏杆立柱底部一处锈蚀，涂层起皮。", "土建总包", "", ""},
	}
	due := in.At.AddDate(0, 0, 15).Format(time.DateOnly)
	for i, c := range InspectionTemplate() {
		n := i + 1
		c.Result = ResultPass
		if c.Room == "入户门" && (c.Item == "排水" || c.Item == "给水") {
			c.Result = ResultNA
		}
		if df, ok := defects[n]; ok {
			df.Due = due
			in.Defects = append(in.Defects, df)
			c.Result, c.Defect, c.Note = ResultDefect, len(in.Defects), "见问题清单"
		}
		in.Items = append(in.Items, c)
	}
	if len(in.Defects) != len(defects) {
		panic(fmt.Sprintf("demo inspection: %d of %d defects placed", len(in.Defects), len(defects)))
	}
	return in
}
