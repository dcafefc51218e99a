# 命令行自己的用语。核心的消息（警报、报告、读数）来自 core/src/i18n/locales；同名消息以此处为准。

ask-questions = { $title }（共 { $n } 题）
ask-points = { $title }：{ $points } 分
ask-see-doctor = 请就此结果咨询医生。
ask-stored = 已保存到记录中
ask-please = 请回答{ $expected }
ask-one-of = 以下之一：{ $list }
ask-number = { $min } 到 { $max } { $unit } 之间的数字
source-line = 来源：{ $source }

today-due = 现在该服：
today-nothing = 无
today-snoozed = { $dose }（已推迟到 { $until }）
today-next = 接下来：
today-nothing-scheduled = 暂无安排
today-missed = 过去 24 小时漏服：
today-done = 过去 24 小时已完成：
today-taken = 已服
today-skipped = 已跳过
today-later = 今天稍后：
today-refills = 需要续药：
today-measurements = 今天的测量：
today-adherence = 本周：已按时服用 { $percent } % 的剂量
today-appointment = 下次预约：{ $appointment }
today-prompt = 有空时：{ $question }（{ $how }）
prompt-allergies = 您有过敏吗？每次开新药都需要知道。
prompt-medications = 您在服用哪些药物？提醒和医生都依赖这份清单。
prompt-conditions = 您患有哪些疾病？
prompt-allergies-how = companion profile set --allergy 名称，或 --none allergies
prompt-medications-how = companion med add ...，或 companion profile set --none medications
prompt-conditions-how = companion profile set --condition 名称，或 --none conditions

dose-scheduled = 计划时间
dose-snoozed = 已推迟
dose-extra = 额外的一次，没有计划时间
dose-on-time = 按时
dose-late = 晚了 { $minutes } 分钟
dose-early = 早了 { $minutes } 分钟
dose-by = 由 { $who } 记录

supply-out = { $name } 已用完，{ $date } 用完：请记录续药
supply-left = { $name } 剩余 { $left }，{ $when }
supply-runs-out = 将于 { $date } 用完
supply-lasts = 在所见的用药安排内够用

journey-stage = 第 { $step } 阶段（共 { $steps } 个）：{ $title }（{ $day }）；已完成旅程的 { $share } %
journey-day = 第 { $day } 天，约 { $days } 天
journey-day-over = 第 { $day } 天，原计划约 { $days } 天
journey-checkup-today = 今天复查
journey-checkup-tomorrow = 明天复查
journey-checkup-in = { $days } 天后复查
journey-count = { $count }/{ $target }
journey-to-read = 待阅读：
journey-with-checkup = { $stage }；{ $checkup }

appointment-with = 医生：{ $who }
appointment-where = 地点：{ $where }

alert-urgent = 紧急：
alert-raised-at = 时间 { $time }

plan-planned = 已安排{ $plan }
plan-reminders = 每个时间都会提醒；`companion today` 显示每天还剩哪些测量。
plan-none = 没有测量计划

targets-set-by = 由 { $who } 于 { $when } 设定
targets-defaults = 默认值
targets-updated = 目标已更新
targets-title = 目标（{ $who }）：
targets-bp = 血压低于 { $bp } mmHg，按 { $guideline } 分级
targets-glucose = 餐前血糖 { $low } 至 { $high }，餐后低于 { $after }
targets-spo2-1 = 血氧饱和度按 NEWS2 第 1 量表
targets-spo2-2 = 血氧饱和度按 NEWS2 第 2 量表（目标 88-92 %，适用于高碳酸血症型呼吸衰竭）
targets-fever = 发热警报阈值 { $threshold }

stats-no-sensor = 目标范围内时间（TIR）、GMI 和 CV 来自连续血糖监测：这些血糖读数没有传感器间隔（用 --sensor-minutes N 添加，或从传感器导入），因此按指尖血糖汇总。
