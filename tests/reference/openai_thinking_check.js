// Drives `qwen-edge serve` on a model that thinks with the official openai npm client:
//   node openai_thinking_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// The served model's template ends the prompt inside <think> unless enable_thinking is false, so
// its answer is all thinking or all content. Thinking arrives as reasoning_content, apart from
// the content, streamed or not; turned off (both ways a client can say so) it is content.
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

async function streamed(client, body) {
    let reasoning = '', content = '';
    const stream = await client.chat.completions.create({ ...body, stream: true });
    for await (const chunk of stream) {
        const delta = chunk.choices[0] ? chunk.choices[0].delta : {};
        if (delta.reasoning_content) reasoning += delta.reasoning_content;
        if (delta.content) content += delta.content;
    }
    return { reasoning, content };
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });
    const model = (await client.models.list()).data[0];
    check(model.thinking && model.thinking.supported === true, 'the model is listed as able to think');
    const body = {
        model: model.id,
        messages: [{ role: 'user', content: '为什么天空是蓝色的？' }],
        max_tokens: 12,
        temperature: 0,
    };

    const thought = await client.chat.completions.create(body);
    const message = thought.choices[0].message;
    check(typeof message.reasoning_content === 'string' && message.reasoning_content.length > 0,
          'the thinking is in reasoning_content');
    check(message.content === '', 'nothing of the thinking in content');
    const live = await streamed(client, body);
    check(live.reasoning === message.reasoning_content, 'streamed thinking equals the whole answer\'s');
    check(live.content === '', 'no content delta while thinking');

    for (const off of [{ chat_template_kwargs: { enable_thinking: false } }, { enable_thinking: false }]) {
        const direct = await client.chat.completions.create({ ...body, ...off });
        check(direct.choices[0].message.reasoning_content === undefined, 'no thinking when turned off');
        check(direct.choices[0].message.content.length > 0, 'the answer is content when turned off');
        const directLive = await streamed(client, { ...body, ...off });
        check(directLive.reasoning === '' && directLive.content === direct.choices[0].message.content,
              'streamed without thinking equals the whole answer');
    }

    const inline = await client.chat.completions.create({ ...body, reasoning_format: 'none' });
    check(inline.choices[0].message.reasoning_content === undefined &&
          inline.choices[0].message.content.includes(message.reasoning_content),
          'reasoning_format none keeps the thinking inline');

    // The history goes back with its thinking, as the Vercel AI SDK sends it.
    const next = await client.chat.completions.create({
        ...body,
        messages: [...body.messages, { role: 'assistant', content: '因为散射。', reasoning_content: message.reasoning_content },
                   { role: 'user', content: '再详细一点。' }],
    });
    check(next.choices[0].finish_reason === 'length', 'a second turn with reasoning_content in the history');
    console.log(JSON.stringify({ ok: true }));
}

main().catch((e) => {
    console.error(e.stack || String(e));
    process.exit(1);
});
