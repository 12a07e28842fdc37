// The tokenizer test corpus: named strings that cover what the Qwen2 tokenizer must get exactly
// right. Used by make_tokenizer_golden.js (golden ids), time_tokenizer.js and
// compare_tokenizer_speed.js (speed).
'use strict';

// A small deterministic generator (mulberry32) so that the corpus is the same on every machine.
function makeRng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const pick = (rng, list) => list[Math.floor(rng() * list.length)];

const english = [
    "Hello world",
    "Hello, world!",
    "How are you doing today?",
    "The quick brown fox jumps over the lazy dog.",
    "I'd like a cup of coffee, please.",
    "Can you help me write an email to my landlord about the broken heater?",
    "What's the difference between a list and a tuple in Python?",
    "It's raining cats and dogs outside, so we'll stay in.",
    "They've been waiting for hours; she's not coming.",
    "Please summarize the following article in three bullet points.",
    "Translate 'good morning' into French, Spanish and German.",
    "The meeting is at 3:30 p.m. on Tuesday, March 5th, 2024.",
    "Mr. O'Neil paid $1,234.56 for 3 items (tax included).",
    "e.g. i.e. etc. vs. Dr. St. Ave.",
    "A sentence with  two spaces and   three spaces.",
    "  leading spaces",
    "trailing spaces   ",
    "UPPERCASE SHOUTING TEXT!!!",
    "camelCaseIdentifier and snake_case_identifier and kebab-case-identifier",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
    "rock'n'roll, ma'am, y'all, o'clock, 'tis, 'twas",
    "Email me at someone@example.com or call +1 (555) 010-9999.",
    "The temperature was -3.5°C at 6 a.m.",
    "Wait... what?! Really?!?",
    "He said: \"No way!\" and left.",
    "Bullet list:\n- first\n- second\n- third",
    "Numbered list:\n1. alpha\n2. beta\n3. gamma",
    "Tabs\tbetween\twords",
    "Question? Answer. Exclamation! Semicolon; colon: comma,",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "A",
    "I",
    "ok",
    "Why is the sky blue? Explain like I'm five.",
    "Write a haiku about autumn leaves falling in the wind.",
];

const chinese = [
    "你好",
    "你好！",
    "你好，请问你是谁？",
    "今天天气怎么样？",
    "我想学习人工智能，应该从哪里开始？",
    "请帮我写一首关于春天的诗。",
    "谢谢你的帮助，我明白了。",
    "这个问题我不太清楚，可以再解释一下吗？",
    "明天下午三点在会议室开会，请准时参加。",
    "北京是中国的首都，有着悠久的历史和丰富的文化。",
    "我昨天去超市买了苹果、香蕉和牛奶。",
    "你能推荐几本好看的科幻小说吗？",
    "周末我们一起去爬山吧！",
    "这道菜的做法是：先把鸡蛋打散，然后放入锅中翻炒。",
    "他说：“我明天不来了。”",
    "《红楼梦》是中国古典四大名著之一。",
    "请用简单的语言解释一下量子力学。",
    "我今年二十五岁，在上海工作。",
    "价格是１２３元，折扣后只要９９元。",
    "好的，没问题～",
    "嗯嗯，哈哈哈哈哈",
    "你觉得呢……",
    "对不起，我刚才说错了。",
    "请问洗手间在哪里？",
    "祝你生日快乐，万事如意！",
    "这是一个很长的句子，用来测试分词器在处理连续中文字符时的表现，中间没有任何空格或者换行符号出现在这里",
    "繁體中文：請問這個東西多少錢？",
    "中文标点：，。！？；：“”‘’（）【】《》、",
    "数字和中文混合：第3章第12节",
    "帮我把这段话翻译成英文：我很喜欢这本书。",
];

const mixed = [
    "我在用Python写一个web server",
    "请解释一下什么是machine learning。",
    "iPhone 15 Pro的价格是多少？",
    "打开VS Code，然后按Ctrl+Shift+P",
    "Hello你好World世界",
    "这个API返回的是JSON格式的数据",
    "我的email是test@example.com，有问题可以联系我",
    "Qwen2.5是一个大语言模型(LLM)",
    "GPU显存不够怎么办？try batch_size=1",
    "他说\"OK\"然后就走了",
    "2024年Q3的revenue增长了15%",
    "用C++实现一个LRU cache",
    "我喜欢看Netflix上的美剧，比如Breaking Bad",
    "error: undefined reference to `main'，怎么解决？",
    "在Linux下用 ls -la 查看文件",
    "mix 中文 English 日本語 한국어 Русский",
    "温度: 25°C, 湿度: 60%",
    "点击\"Submit\"按钮提交表单",
    "RAM 16GB，SSD 512GB，价格¥5999",
    "第1步：pip install torch；第2步：import torch",
];

const code = [
    "def hello():\n    print(\"Hello, world!\")\n",
    "for i in range(10):\n\tif i % 2 == 0:\n\t\tprint(i)\n",
    "int main(int argc, char** argv) {\n    return 0;\n}\n",
    "#include <stdio.h>\n\nint main(void)\n{\n\tprintf(\"%d\\n\", 42);\n}\n",
    "const add = (a, b) => a + b;\nconsole.log(add(1, 2));",
    "    x = 1\n        y = 2\n            z = 3",
    "if (x == y) {\n        foo();\n    } else {\n        bar();\n    }",
    "SELECT id, name FROM users WHERE age > 30 ORDER BY name DESC;",
    "<div class=\"container\">\n  <p>Hello</p>\n</div>",
    "x=1;y=2;z=x+y*3-4/5%6",
    "a  =  b   +   c",
    "\t\t\tdeeply\t\t\tindented",
    "// comment with trailing spaces   \nint x;   \n",
    "fn main() {\n    let v: Vec<i32> = vec![1, 2, 3];\n    println!(\"{:?}\", v);\n}",
    "if __name__ == '__main__':\n    main()",
    "$ git commit -m 'fix: handle CRLF'\r\n$ git push origin main\r\n",
    "template <typename T>\nstd::vector<T> v{1, 2, 3};",
    "arr[i][j] += dp[i-1][j-1] * 2;",
    "while True:\n    pass\n\n\n\nprint('done')",
    "```python\nimport numpy as np\nx = np.zeros((3, 3))\n```",
    "    \n    \n    ",
    "class Foo:\n    def __init__(self):\n        self.x = None  # type: Optional[int]\n",
    "key1=value1\nkey2 = value2\n[section]\nname = \"x\"",
    "0x1F 0b1010 1e-9 3.14159 1_000_000 0o777",
    "s = 'it''s' + \"don't\" + `won't`",
    "lambda x: x**2 if x>0 else -x",
    "#!/bin/bash\nfor f in *.txt; do\n  echo \"$f\"\ndone",
    "std::cout << \"a\" << std::endl;",
    "printf(\"%s: %5.2f%%\\n\", name, pct);",
    "{\n\t\"a\": [1, 2, 3],\n\t\"b\": null\n}",
];

const whitespace = [
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n\n\n",
    "\r\n",
    "\r\n\r\n",
    "\r",
    "\r\r\n",
    "line1\r\nline2\r\nline3",
    "line1\nline2\n\nline3\n\n\nline4",
    "a\n b\n  c\n   d",
    "a \nb  \nc   \n",
    " \n \n ",
    "\t\n\t\n",
    "\n\t\r\n \t",
    "word \t\n\r\n\t word",
    "a\r\n\r\n\r\n\r\nb",
    "end with newline\n",
    "end with spaces and newline  \n",
    "    four leading spaces",
    "x                                                  y",
    "\n\nleading newlines",
    "\t\t\t",
    " \t \t ",
    "a\tb\tc\td",
    "\r\n \r\n  \r\n",
    "mixed\r\n\tindent\r\n\t\tdeeper",
    "\u000b\u000c vertical tab and form feed",
    "spaces before punctuation   !",
    "spaces before digits   123",
    "  \n",
];

const digits = [
    "0",
    "12",
    "123",
    "1234567890",
    "3141592653589793238462643383279502884197169399375105820974944592",
    "000000000000000000000",
    "In 1969, 600000000 people watched.",
    "The code is 8675309 and the PIN is 0000.",
    "1,234,567.89",
    "2024-01-15T12:34:56Z",
    "v1.2.3-rc.4+build.567",
    "１２３４５６７８９０",
    "٠١٢٣٤٥٦٧٨٩ and ۱۲۳ and ०१२३४५६७८९",
    "Roman numerals: Ⅰ Ⅱ Ⅻ ⅿ ↂ",
    "Circled ① ② ⑳ and superscripts x² y³ ¹⁰ and fractions ½ ¾",
    "abc123def456",
    "1a2b3c",
    "99 bottles, 98 bottles, 97 bottles",
    "电话号码：13800138000",
    "𝟘𝟙𝟚 mathematical digits",
];

// Contractions in every case, including letters that fold to ASCII only under Unicode case
// folding (U+017F LONG S folds to 's', U+212A KELVIN SIGN to 'k').
const contractions = [
    "it's I'm you're we've they'll he'd she's can't",
    "IT'S I'M YOU'RE WE'VE THEY'LL HE'D SHE'S CAN'T",
    "It'S i'M You'Re we'Ve They'lL He'D",
    "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D",
    "'Re 'rE 'Ve 'vE 'Ll 'lL",
    "'ſ 'ſt 'ſs",
    "the cat'ſ hat",
    "x'ſa y'ſll z'ſS 'ſa",
    "'ſ",
    "'K 'k 'K",
    "'x 'z 'q",
    "'sa 'tea 'rest 'very 'more 'llama 'dog",
    "don't won't shouldn't",
    "DON'T WON'T SHOULDN'T",
    "''s '''ll ''''",
    "'",
    "''",
    "' s",
    "it’s (typographic apostrophe) it‘s",
    "l'été c'est l'hôpital d'après",
    "'é 'É 'ß 'ç 'ñ",
    "O'REILLY'S BOOK'S",
    "rock 'n' roll",
    "'1 '2 '3",
    "'\n's",
    "x'S'T'M",
    "Ｉ'Ｍ fullwidth Ｉ'ｍ",
    "'Ｓ 'ｓ",
    "'İ 'ı 'ﬀ 'ﬆ",
    "'\u0301s 's\u0301",
    "我's 中'S 日'll",
];

const emoji = [
    "😀",
    "Hello 😀 world",
    "👍👍👍",
    "👍🏻👍🏼👍🏽👍🏾👍🏿",
    "👨‍👩‍👧‍👦 family",
    "👩🏽‍💻 coder",
    "🏳️‍🌈 flag",
    "🇨🇳🇺🇸🇯🇵 flags",
    "1️⃣ 2️⃣ #️⃣ keycaps",
    "❤️ ♥ ❤",
    "☺️☺",
    "🤷‍♂️🤷‍♀️",
    "我很开心😊！",
    "great job!!!🎉🎉",
    "🧑‍🤝‍🧑",
    "😀😃😄😁😆😅😂🤣",
    "emoji at end 🚀",
    "🚀emoji at start",
    "👁‍🗨",
    "🫠🫡🫥 newer emoji",
];

const scripts = [
    // Japanese
    "こんにちは",
    "今日はいい天気ですね。",
    "東京タワーに行きたいです。",
    "カタカナとひらがなと漢字",
    "ｶﾀｶﾅ半角",
    "私の名前は田中です。よろしくお願いします！",
    "「こんにちは」と言いました。",
    "ラーメンを食べたい〜",
    "日本語の文章に English が混ざる",
    "ゔ ヴ ゕ ㋿",
    // Korean
    "안녕하세요",
    "감사합니다!",
    "오늘 날씨가 좋네요.",
    "저는 학생입니다. 만나서 반갑습니다.",
    "한국어와 English 섞기",
    "ㄱㄴㄷㄹ ㅏㅑㅓㅕ",
    "김치찌개 먹고 싶어요",
    "서울특별시 강남구",
    "ㅋㅋㅋㅋㅋ ㅎㅎ",
    "뷁 똠방각하",
    // Arabic
    "مرحبا بالعالم",
    "كيف حالك؟",
    "أنا أحب البرمجة.",
    "السلام عليكم ورحمة الله",
    "اللغة العربية جميلة",
    "العدد ١٢٣ والعدد 456",
    "مُحَمَّد",
    "Arabic in English: مرحبا friend",
    "؟ ، ؛",
    "ﷺ ﷽",
    // Hindi
    "नमस्ते",
    "आप कैसे हैं?",
    "मुझे हिंदी पसंद है।",
    "भारत एक विशाल देश है।",
    "क्षत्रिय ज्ञान श्री",
    "हिंदी और English मिश्रण",
    "१२३ रुपये",
    "कृपया मदद करें",
    "ॐ नमः शिवाय",
    "द्वार",
    // Thai
    "สวัสดีครับ",
    "ขอบคุณมากค่ะ",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
    "กรุงเทพมหานคร",
    "๑๒๓ บาท",
    "ไปไหนมา",
    "น้ำ ผู้ใหญ่ เด็ก",
    "Thai ไทย mix",
    "ฯลฯ ๆ",
    "เก้าอี้",
    // Cyrillic
    "Привет, мир!",
    "Как дела?",
    "Я люблю программирование.",
    "Москва — столица России.",
    "ЁЖИК ёжик",
    "Україна, Київ, ї, є, ґ",
    "Српски језик",
    "Съешь же ещё этих мягких французских булок",
    "КРИК",
    "Ѣ ѣ Ѳ ѳ",
    // Others
    "Γειά σου Κόσμε",
    "שלום עולם",
    "Ελληνικά: ς σ Σ",
    "Tiếng Việt có dấu",
    "Ἀθῆναι",
    "Հայերեն",
    "ქართული",
    "አማርኛ",
    "ᠮᠣᠩᠭᠣᠯ",
    "தமிழ் மொழி",
];

// NFD text: composed characters written as base + combining marks, and marks in
// non-canonical order (normalization must recompose and reorder them).
const nfd = [
    "e\u0301",
    "cafe\u0301",
    "Cafe\u0301 re\u0301sume\u0301 nai\u0308ve",
    "A\u030angstro\u0308m",
    "n\u0303o\u0303",
    "Tie\u0302\u0301ng Vie\u0323\u0302t",
    "Vie\u0302\u0323t",
    "o\u0308\u0304",
    "a\u0301\u0316",
    "a\u0316\u0301",
    "q\u0307\u0323",
    "\u1100\u1161\u11a8",
    "\u1112\u1161\u11ab\u1100\u1173\u11af",
    "\u0041\u030a vs \u00c5 vs \u212b",
    "\u2126 ohm sign",
    "\u0301 leading mark",
    "x\u0301\u0301\u0301",
    "\u0915\u093c \u0921\u093c",
    "\u3046\u3099 \u304b\u3099",
    "\u0627\u0653 \u0648\u0654",
    "\u00e9 precomposed and e\u0301 decomposed",
    "\u1e9b\u0323",
    "\u0958 \u0929",
    "\u2000 \u2001",
    "\uf900\uf901",
];

const fullwidth = [
    "全角标点：，。！？",
    "（括号）【方括号】",
    "“引号”和‘单引号’",
    "ＡＢＣ　ｄｅｆ",
    "！＂＃＄％＆＇（）＊＋，－．／",
    "：；＜＝＞？＠［＼］＾＿｀｛｜｝～",
    "中文，English, 混合。Mixed.",
    "……——",
    "「」『』〈〉《》〔〕",
    "、。・ー",
];

const urls = [
    "https://www.example.com",
    "http://localhost:8080/api/v1/users?id=123&name=test",
    "Visit https://github.com/QwenLM/Qwen2.5 for more.",
    "ftp://files.example.org/pub/file.tar.gz",
    "https://zh.wikipedia.org/wiki/%E4%B8%AD%E6%96%87",
    "mailto:user@example.com",
    "www.example.co.uk/path/to/page.html#section-2",
    "https://example.com/search?q=hello+world&lang=en#top",
    "网址：https://www.baidu.com/s?wd=测试",
    "file:///home/user/Documents/report.pdf",
];

const json = [
    "{\"name\": \"Alice\", \"age\": 30}",
    "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
    "[1, 2, 3, 4, 5]",
    "{\n  \"model\": \"qwen2.5\",\n  \"messages\": [\n    {\"role\": \"user\", \"content\": \"hi\"}\n  ]\n}",
    "{\"text\": \"你好\", \"escaped\": \"\\u4f60\\n\\t\"}",
    "{\"emoji\": \"😀\", \"nested\": {\"deep\": [[[]]]}}",
    "{\"price\": 19.99, \"qty\": -3, \"exp\": 1.5e10}",
    "[{\"id\":1},{\"id\":2}]",
    "{\"tool_call\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Beijing\"}}}",
    "{}",
];

const markdown = [
    "| Name | Age |\n|------|-----|\n| Bob  | 25  |\n| Eve  | 31  |",
    "| 名称 | 价格 |\n| :--- | ---: |\n| 苹果 | ¥5 |",
    "# Title\n\n## Subtitle\n\nSome **bold** and *italic* text.",
    "- [ ] todo\n- [x] done",
    "> quoted text\n> more",
    "`inline code` and ```fenced```",
    "1. one\n   - nested\n2. two",
    "[link](https://example.com) ![img](a.png)",
    "---\n***\n___",
    "|a|b|c|\n|-|-|-|\n|1|2|3|",
];

const control = [
    "\u0000",
    "a\u0000b",
    "\u0001\u0002\u0003",
    "bell\u0007 backspace\u0008 escape\u001b[31mred\u001b[0m",
    "\u007f delete",
    "\u0080\u0081\u009f C1 controls",
    "text\u001cwith\u001dseparators\u001e\u001f",
    "\u000e\u000f shift",
    "null\u0000in\u0000middle",
    "\u001b",
    "x\u0085y next line",
    "tab\u0009and\u000bvt",
    "\u0010\u0011\u0012\u0013\u0014",
    "a\u00adb soft hyphen",
    "\u200e\u200f\u202a\u202c bidi marks",
];

// Unicode whitespace that is not ASCII: which of them count as \s decides the split.
const unicodeSpace = [
    "a\u00a0b",
    "a\u00a0\u00a0b",
    "\u00a0",
    "x\u3000y",
    "x\u3000\u3000y",
    "\u3000\u3000全角空格",
    "a\u2028b",
    "a\u2029b",
    "a\u2028\u2028b",
    "a\u0085b",
    "\u0085\u0085",
    "a\ufeffb",
    "\ufeffBOM at start",
    "a\u200bb",
    "zero\u200bwidth\u200bspace",
    "a\u2009b thin space",
    "a\u202fb narrow nbsp",
    "a\u205fb math space",
    "a\u1680b ogham",
    "a\u180eb mongolian vowel separator",
    "a\u200cb\u200dc",
    "\u00a0\n\u00a0",
    "x \u00a0 y",
    "\u3000\n",
    "a\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u200ab",
    "\r\n\u00a0\t\u3000\n",
    "end\u00a0",
    "end\u3000\u3000",
    "\u2028",
    "1\u00a02\u00a03",
    "!\u00a0!",
    "\u00a0!",
];

// Added-token literals glued to text: with literal parsing each is one token; as plain text
// they are ordinary characters.
const specials = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>user\n你好<|im_end|>",
    "hello<|im_end|>world",
    "hello <|im_end|> world",
    "<|im_end|><|im_start|>",
    "<|im_end|><|im_end|><|im_end|>",
    "text<|endoftext|>",
    "<|endoftext|>text",
    "a<|im_start|>b<|im_end|>c",
    "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
    "<tool_call></tool_call>",
    "x<tool_call>y",
    "<|fim_prefix|>def f(<|fim_suffix|>):<|fim_middle|>",
    "<|fim_pad|><|repo_name|>qwen<|file_sep|>main.py",
    "<|object_ref_start|>the cat<|object_ref_end|><|box_start|>(1,2),(3,4)<|box_end|>",
    "<|quad_start|><|quad_end|><|vision_start|><|vision_end|>",
    "<|vision_pad|><|image_pad|><|video_pad|>",
    "  <|im_end|>  ",
    "\n<|im_end|>\n",
    "我<|im_end|>你",
    "😀<|im_end|>😀",
    "'s<|im_end|>'s",
    "123<|endoftext|>456",
    "<<|im_end|>>",
    "<|<|im_end|>|>",
    "<|im_start|><|im_start|>",
    "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>",
    "<think>\nhmm\n</think>",
    "<tool_response>ok</tool_response>",
];

const nearMiss = [
    "<|im_start",
    "< |im_end|>",
    "<|im_end|",
    "|im_end|>",
    "<|IM_END|>",
    "<|im_end |>",
    "<| im_end|>",
    "<|im_end>",
    "<im_end|>",
    "<|im-end|>",
    "<|im_start|",
    "<|endoftext",
    "<tool_call",
    "</tool_call >",
    "< tool_call>",
    "<Tool_Call>",
    "<|endoftext|",
    "<|im_end|\n>",
    "<|im_e\u200bnd|>",
    "<|im_start|\u003e",
    "＜|im_end|＞",
    "<|im_end｜>",
    "<|unknown_token|>",
    "<|>",
    "<||>",
    "<|",
    "|>",
];

// Characters whose category depends on the Unicode version: CJK Extension I (Unicode 15.1),
// Todhri and Garay (16.0), marks added after 9.0 next to older marks.
const unicodeVersions = [
    "a\u{2ebf0}b",
    "\u{2ebf0}\u{2ebf1}\u{2ee5d}",
    "a\u{105c0}b",
    "\u{10d4a}\u{10d4b} \u{10d40}",
    "a\u{1e08f}\u0316",
    "a\u1df6\u0316",
    "a\u1ac1\u0316 x\u0898\u0316",
    "a\u08d4\u0316",
    "\u{11938}",
    "\u{11935}\u{11930}",
    "\u{31350}\u{323af}",
    "\u{1e030}\u{1e06d}",
    "\u{11f04}\u{11f41}",
    "\u{1fae8}\u{1faf8}",
    "\u{e0001}\u{e0020}\u{e007f}",
    "\u{f0000}\u{10fffd}",
    "\u{fdd0}\u{fffe}\u{ffff}",
    "\u{1d7ce}\u{1d7ff}",
    "\u{1f100}\u{1f10c}",
];

// A long text of realistic chat, prose and code paragraphs in a deterministic order. It is both
// the corpus's 100 KB entry and the benchmark text.
function mixedText(bytes, seed) {
    const rng = makeRng(seed);
    const zh = [...chinese, ...mixed];
    const en = english;
    const src = [...code, ...markdown, ...json];
    let out = '';
    let size = 0;
    while (size < bytes) {
        const r = rng();
        let para;
        if (r < 0.4) {
            para = Array.from({length: 1 + Math.floor(rng() * 4)}, () => pick(rng, zh)).join('');
        } else if (r < 0.75) {
            para = Array.from({length: 1 + Math.floor(rng() * 4)}, () => pick(rng, en)).join(' ');
        } else {
            para = pick(rng, src);
        }
        if (rng() < 0.1) para += ' ' + Math.floor(rng() * 1e6);
        para += pick(rng, ['\n', '\n\n', '\n', ' ', '\r\n']);
        out += para;
        size += Buffer.byteLength(para, 'utf8');
    }
    // Cut at a character boundary near the requested size.
    const buf = Buffer.from(out, 'utf8').subarray(0, bytes);
    return buf.toString('utf8').replace(/\ufffd+$/, '');
}

// The speed comparison's texts (about `bytes` each, deterministic): Chinese chat turns, English
// prose, code (with JSON and markdown), and the mixed text. Numbers are drawn at random so that
// not every word repeats; the word variety is still that of the corpus sentences.
function benchTexts(bytes) {
    const rng = makeRng(20241124);
    const number = () => String(Math.floor(rng() * 1e5));
    const build = (paragraph) => {
        let out = '';
        while (Buffer.byteLength(out, 'utf8') < bytes) out += paragraph();
        return out;
    };
    const sentences = (list, n, sep) =>
        Array.from({length: 1 + Math.floor(rng() * n)}, () => pick(rng, list)).join(sep);
    return {
        zh_chat: build(() => `<|im_start|>${pick(rng, ['user', 'assistant'])}\n` +
                       sentences(chinese, 5, '') + (rng() < 0.3 ? `第${number()}个` : '') +
                       '<|im_end|>\n'),
        english: build(() => sentences(english, 6, ' ') + (rng() < 0.3 ? ` ${number()}` : '') +
                       pick(rng, ['\n', '\n\n', ' '])),
        code: build(() => pick(rng, [...code, ...code, ...json, ...markdown]).replace(/\d+/g, number) +
                    '\n'),
        mixed: mixedText(bytes, 11),
    };
}

// Short random strings made of fragments that stress the split pattern's corners.
function fuzzStrings(count, seed) {
    const rng = makeRng(seed);
    const fragments = [
        'a', 'Z', 'é', 'e\u0301', 'ſ', 'ß', "'", "'s", "'S", "'ll", "'LL", "'ve", "'d", ' ', '  ',
        '   ', '\t', '\n', '\n\n', '\r\n', '\r', '\u000b', '\u00a0', '\u3000', '\u2028', '\u0085',
        '\ufeff', '\u200b', '1', '42', '123456', '٣', '①', '²', '中文', '你好', '日本', '한국', 'ا',
        'ก', 'я', '😀', '👍🏽', '👨‍👩‍👧', '!', '.', '...', '?', '？', '，', '。', '-', '_', '$',
        '#', '/', '\\', '"', '{', '}', '(', ')', '[', ']', '<', '>', '|', '<|im_end|>',
        '<|im_start|>', '<|endoftext|>', '<tool_call>', '</tool_call>', '<|', '|>', '<|im_',
        '\u0301', '\u0316', '\u0000', '\u001b', '\u007f', 'http://x.y/z', '{"a":1}', 'def ', 'x = ',
        'Hello', 'WORLD', 'ing', 'tion', '\u{2ebf0}', '\u{105c0}',
    ];
    const out = [];
    for (let i = 0; i < count; i++) {
        const n = 1 + Math.floor(rng() * 24);
        let s = '';
        for (let j = 0; j < n; j++) s += pick(rng, fragments);
        out.push(s);
    }
    return out;
}

// The corpus as [{name, text}], in a stable order.
function corpus() {
    const groups = {
        english, chinese, mixed, code, whitespace, digits, contractions, emoji, scripts, nfd,
        fullwidth, urls, json, markdown, control, unicode_space: unicodeSpace, specials,
        near_miss: nearMiss, unicode_versions: unicodeVersions,
    };
    const out = [{name: 'empty', text: ''}];
    for (const [group, list] of Object.entries(groups)) {
        list.forEach((text, i) => out.push({name: `${group}_${i}`, text}));
    }
    fuzzStrings(150, 20240601).forEach((text, i) => out.push({name: `fuzz_${i}`, text}));
    out.push({name: 'long_100kb', text: mixedText(100 * 1024, 7)});
    return out;
}

module.exports = {corpus, mixedText, makeRng, benchTexts};
