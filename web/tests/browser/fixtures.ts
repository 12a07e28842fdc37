// Conversations for the screenshots, imported through the page's own Import button. Times are
// relative to today so the side panel shows its day groups.
const HOUR = 3_600_000;

const recursionAnswer = `**递归**就是函数在执行过程中调用自己，把一个大问题拆成规模更小的同类问题。

一个递归函数需要两部分：

1. **终止条件**：问题小到可以直接回答时停止调用；
2. **递归步骤**：把问题缩小，再调用自己。

\`\`\`python
def factorial(n: int) -> int:
    """n! = n × (n-1)!，且 0! = 1"""
    if n == 0:          # 终止条件
        return 1
    return n * factorial(n - 1)  # 递归步骤

print(factorial(5))  # 120
\`\`\`

| n | factorial(n) |
|---|---:|
| 3 | 6 |
| 5 | 120 |

没有终止条件的递归会一直调用下去，最终栈溢出。`;

const poem = `## 春日

春风拂过柳梢头，
细雨轻敲燕子楼。
桃花含笑迎新客，
一溪流水绕山流。

> 这首七言绝句写了春风、细雨、桃花与流水，描绘出春天万物复苏的景象。`;

function timings(ttftMs: number, tps: number) {
  return { ttftMs, tokensPerSecond: tps, promptTokens: 48, cachedTokens: 32, completionTokens: 160, source: 'server' };
}

export function demoConversations(now = Date.now()) {
  // Times are placed by day (local midnight), not only back from now, so each conversation lands
  // in the same day group whatever the time of day the screenshots are taken.
  const d = new Date(now);
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const todayAt = (hoursAgo: number, minutesAfterMidnight: number) => Math.max(now - hoursAgo * HOUR, midnight + minutesAfterMidnight * 60_000);
  const conv = (id: string, title: string, at: number, messages: unknown[]) => ({
    id,
    title,
    createdAt: at - 60_000,
    updatedAt: at,
    messages,
  });
  const user = (content: string) => ({ role: 'user', content, createdAt: now });
  const answer = (content: string, extra: Record<string, unknown> = {}) => ({ role: 'assistant', content, createdAt: now, status: 'done', finishReason: 'stop', ...extra });
  return {
    format: 'qwen-edge.conversations',
    version: 1,
    conversations: [
      conv('demo-recursion', '什么是递归？', todayAt(0.1, 2), [
        user('什么是递归？'),
        answer(recursionAnswer, { timings: timings(182, 38.6) }),
        user('能用一句话总结吗？'),
        answer('递归就是**用同样的方法解决更小的自己**，直到小到可以直接得出答案。', {
          timings: timings(96, 41.2),
          droppedRounds: 1,
          reasoning: '用户想要一句话的总结。抓住核心：用同样的方法解决更小的问题，直到小到可以直接回答。',
          thinkingMs: 3240,
        }),
      ]),
      conv('demo-poem', '一首关于春天的诗', todayAt(1, 1), [user('一首关于春天的诗'), answer(poem, { timings: timings(143, 40.3) })]),
      conv('demo-login', 'HTML 登录表单', midnight - 4 * HOUR, [
        user('写一个 HTML 登录表单'),
        answer('```html\n<form action="/login" method="post">\n  <label for="user">用户名</label>\n  <input id="user" name="user" required>\n  <button type="submit">登录</button>\n</form>\n```', { timings: timings(120, 39.8) }),
      ]),
      conv('demo-sql', 'SQL: top customers by revenue', midnight - 30 * HOUR, [
        user('SQL query for the top 5 customers by revenue'),
        answer('```sql\nSELECT customer_id, SUM(amount) AS revenue\nFROM orders\nGROUP BY customer_id\nORDER BY revenue DESC\nLIMIT 5;\n```', { timings: timings(110, 40.1) }),
      ]),
      conv('demo-trip', '周末去杭州的行程安排', midnight - 72 * HOUR, [user('周末去杭州的行程安排'), answer('第一天：西湖、断桥、灵隐寺；第二天：龙井村喝茶、河坊街。')]),
      conv('demo-email', 'Polite reply to a meeting invite', midnight - 200 * HOUR, [user('Polite reply to a meeting invite'), answer('Thank you for the invitation — I will be there.')]),
    ],
  };
}

// A conversation answered from a knowledge base, with its citations, for the knowledge screenshot.
export function knowledgeConversation(now = Date.now()) {
  const citations = [
    { index: 1, file: '报销制度.docx', page: null, heading: '第二章 报销材料', text: '报销时须提交费用报销单、合规发票原件及付款凭证。差旅费用另附行程单或登机牌；招待费用须注明招待对象、人数和事由。', score: 0.82 },
    { index: 2, file: '财务制度汇编.pdf', page: 3, heading: '3.2 发票要求', text: '增值税电子发票须在报销系统中查验真伪，同一张发票不得重复报销。发票抬头必须为公司全称，税号须完整。', score: 0.64 },
  ];
  return {
    format: 'qwen-edge.conversations',
    version: 1,
    conversations: [
      {
        id: 'demo-knowledge',
        title: '报销需要哪些材料？',
        createdAt: now - 60_000,
        updatedAt: now,
        knowledgeBase: '公司制度',
        messages: [
          { role: 'user', content: '报销需要哪些材料？', createdAt: now },
          {
            role: 'assistant',
            content: '报销需要提交以下材料[1]：\n\n1. **费用报销单**；\n2. **合规发票原件**（电子发票须先在报销系统中查验真伪[2]）；\n3. **付款凭证**。\n\n出差费用还要附行程单或登机牌，招待费用要写明招待对象、人数和事由[1]。',
            createdAt: now,
            status: 'done',
            finishReason: 'stop',
            timings: { ttftMs: 412, tokensPerSecond: 36.4, promptTokens: 612, cachedTokens: 0, completionTokens: 96, source: 'server' },
            citations,
          },
        ],
      },
    ],
  };
}
