//! Chinese names for generated places and people, drawn deterministically.

use rand::Rng;
use rand::seq::IndexedRandom;

const SURNAMES: &[&str] = &[
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "于",
    "董",
    "萧",
    "程",
    "曹",
    "袁",
    "邓",
    "许",
    "傅",
    "沈",
    "曾",
    "彭",
    "吕",
    "苏",
    "卢",
    "蒋",
    "蔡",
    "贾",
    "丁",
    "魏",
    "薛",
    "叶",
    "阎",
    "余",
    "潘",
    "杜",
    "戴",
    "夏",
    "钟",
    "汪",
    "田",
    "任",
    "姜",
    "范",
    "方",
    "石",
    "姚",
    "谭",
    "廖",
    "邹",
    "熊",
    "金",
    "陆",
    "郝",
    "孔",
    "白",
    "崔",
    "康",
    "毛",
    "邱",
    "秦",
    "江",
    "史",
    "乌兰",
    "巴特尔",
    "其木格",
    "那日苏",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "玉兰", "红", "志强", "海燕",
    "晓东", "丽娟", "建国", "淑珍", "俊", "慧", "鑫", "宇", "浩", "婷", "雪", "斌", "波", "辉",
    "玲", "琳",
];
const COMPOUND_HEADS: &[&str] = &[
    "锦绣",
    "阳光",
    "金辉",
    "华府",
    "东方",
    "富丽",
    "鑫海",
    "天骄",
    "康和",
    "丽景",
    "绿地",
    "瑞丰",
    "祥和",
    "碧水",
    "紫金",
    "泰和",
    "恒信",
    "万和",
    "伊泰",
    "草原",
    "鄂尔多斯",
    "松林",
    "铁西",
    "民族",
    "幸福",
    "园丁",
    "电业",
    "煤炭",
    "农行",
    "税务",
    "万佳",
    "怡景",
    "名仕",
    "兴胜",
    "滨河",
];
const COMPOUND_TAILS: &[&str] = &[
    "小区", "花园", "家园", "苑", "嘉园", "新村", "名居", "公寓", "华庭",
];

/// E-W arterials are 街 (streets), N-S arterials are 路 (roads), as in Dongsheng.
const ARTERIAL_EW: &[&str] = &[
    "鄂尔多斯东街",
    "伊金霍洛东街",
    "达拉特南街",
    "宝日陶亥东街",
    "天骄北街",
    "吉劳庆街",
    "林荫街",
    "团结街",
    "民族街",
    "纺织街",
    "富兴街",
    "诃额伦街",
    "罕台街",
    "兴胜街",
    "建设街",
    "幸福街",
    "交通街",
    "公园街",
    "铜川街",
    "巴音门克街",
];
const ARTERIAL_NS: &[&str] = &[
    "杭锦北路",
    "准格尔南路",
    "天骄路",
    "铁西路",
    "吉劳庆北路",
    "伊化路",
    "宝日陶亥路",
    "林荫路",
    "团结路",
    "民族路",
    "纺织路",
    "富兴路",
    "诃额伦路",
    "罕台路",
    "兴胜路",
    "建设路",
    "幸福路",
    "交通路",
    "公园路",
    "园丁路",
];

pub fn person(rng: &mut impl Rng) -> String {
    let surname = SURNAMES.choose(rng).copied().unwrap_or("王");
    let given = GIVEN.choose(rng).copied().unwrap_or("伟");
    format!("{surname}{given}")
}

pub fn phone(rng: &mut impl Rng) -> String {
    format!("13{:09}", rng.random_range(0..1_000_000_000u32))
}

pub fn compound(rng: &mut impl Rng) -> String {
    let head = COMPOUND_HEADS.choose(rng).copied().unwrap_or("阳光");
    let tail = COMPOUND_TAILS.choose(rng).copied().unwrap_or("小区");
    format!("{head}{tail}")
}

/// The name of the `i`-th east-west arterial.
pub fn arterial_ew(i: usize) -> String {
    let base = ARTERIAL_EW[i % ARTERIAL_EW.len()];
    match i / ARTERIAL_EW.len() {
        0 => base.to_string(),
        n => format!("{base}{}段", n + 1),
    }
}

/// The name of the `i`-th north-south arterial.
pub fn arterial_ns(i: usize) -> String {
    let base = ARTERIAL_NS[i % ARTERIAL_NS.len()];
    match i / ARTERIAL_NS.len() {
        0 => base.to_string(),
        n => format!("{base}{}段", n + 1),
    }
}

/// A number in Chinese numerals (1–9999), e.g. 12 → 十二, 305 → 三百零五.
///
/// ```
/// assert_eq!(gridmap::generate::chinese_number(12), "十二");
/// assert_eq!(gridmap::generate::chinese_number(305), "三百零五");
/// assert_eq!(gridmap::generate::chinese_number(1010), "一千零一十");
/// ```
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].into();
    }
    if (10..20).contains(&n) {
        return format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        );
    }
    let units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut pending_zero = false;
    for (value, unit) in units {
        let digit = (n / value) % 10;
        if digit == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push_str(DIGITS[0]);
            pending_zero = false;
        }
        out.push_str(DIGITS[digit as usize]);
        out.push_str(unit);
    }
    out
}
