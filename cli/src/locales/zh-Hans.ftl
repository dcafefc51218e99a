# 命令行自己的用语。核心的消息（警报、报告、读数）来自 core/src/i18n/locales；同名消息以此处为准。

ask-questions = { $title }（共 { $n } 题）
ask-points = { $title }：{ $points } 分
ask-see-doctor = 请就此结果咨询医生。
ask-source = 来源：{ $source }
ask-stored = 已保存到记录中
ask-please = 请回答{ $expected }
ask-one-of = 以下之一：{ $list }
ask-number = { $min } 到 { $max } { $unit } 之间的数字
