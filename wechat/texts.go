package wechat

// What holders read. Short, and each says what to do next. The
// bind-command format appears in several messages and must stay the one
// in PRODUCT.md: 绑定 姓名 身份证号 证书编号. Examples use X for digits:
// a complete example would be a real person's ID number or certificate.
const (
	msgWelcome = "欢迎关注河南省住房城乡建设行业技能人员电子培训证书服务！\n\n" +
		"【证书查询】发送证书编号，或发送“姓名 身份证号”（中间空一格），即可查询证书状态。\n\n" +
		"【证书下载】先发送“绑定 姓名 身份证号 证书编号”绑定本人证书，再点菜单“证书下载”，即可打开电子证书PDF保存或打印。"

	msgHowToQuery = "请发送以下任一内容查询证书：\n\n" +
		"1. 证书编号（HN开头的15位编号）\n" +
		"2. 姓名和身份证号，中间空一格，例如：张三 41010219900101XXXX\n\n" +
		"查询结果中可打开证书验证页。"

	msgHelp = "发送证书编号，或“姓名 身份证号”（中间空一格），可查询证书。\n\n" +
		"发送“绑定 姓名 身份证号 证书编号”绑定本人证书后，点菜单“证书下载”可获取电子证书。"

	msgNotFound = "未查询到证书"

	msgRateLimited = "查询过于频繁，请稍后再试。"

	msgBusy = "系统繁忙，请稍后再试。"

	msgIDOnly = "请同时发送姓名和身份证号，中间空一格，例如：张三 41010219900101XXXX"

	msgBindFormat = "绑定格式：绑定 姓名 身份证号 证书编号（用空格隔开）\n" +
		"例如：绑定 张三 41010219900101XXXX HN2026XXXXXXXXX"

	msgBindMismatch = "绑定失败：姓名、身份证号与证书编号不匹配。请核对后重新发送"

	msgBindLocked = "绑定失败次数过多，请1小时后再试。"

	msgUnbound = "已解除绑定。\n如需重新绑定，请发送“绑定 姓名 身份证号 证书编号”。"

	msgNotBound = "本微信尚未绑定证书。\n如需绑定，请发送“绑定 姓名 身份证号 证书编号”。"

	msgDownloadUnbound = "下载证书前，请先绑定本人证书：\n\n" +
		"发送：绑定 姓名 身份证号 证书编号（用空格隔开）\n" +
		"例如：绑定 张三 41010219900101XXXX HN2026XXXXXXXXX\n\n" +
		"绑定成功后，再点菜单“证书下载”。"
)
