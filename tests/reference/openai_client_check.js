// Drives a running `qwen-edge serve` with the official openai npm client, as an application would:
//   node openai_client_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });

    const models = await client.models.list();
    // The served model first, loaded; then any others the server could load or download.
    check(models.data.length >= 1 && models.data[0].loaded === true, 'the served model listed first');
    check(models.data.every((m) => m.object === 'model' && typeof m.id === 'string'), 'model objects');
    const model = models.data[0].id;

    const messages = [{ role: 'user', content: 'Hello! 你好，请写一首诗。' }];
    const whole = await client.chat.completions.create({ model, messages, max_tokens: 8 });
    check(whole.object === 'chat.completion', 'chat.completion object');
    check(whole.choices.length === 1 && whole.choices[0].message.role === 'assistant', 'one assistant message');
    check(typeof whole.choices[0].message.content === 'string', 'content is text');
    check(['length', 'stop'].includes(whole.choices[0].finish_reason), 'finish_reason');
    check(whole.usage.completion_tokens > 0 && whole.usage.completion_tokens <= 8, 'usage counts');

    const stream = await client.chat.completions.create({
        model, messages, max_tokens: 12, stream: true, stream_options: { include_usage: true },
        temperature: 1.0, seed: 11,
    });
    let text = '', finish = null, usage = null, chunks = 0;
    for await (const chunk of stream) {
        ++chunks;
        check(chunk.object === 'chat.completion.chunk', 'chunk object');
        if (chunk.usage) usage = chunk.usage;
        if (chunk.choices.length === 0) continue;
        text += chunk.choices[0].delta.content || '';
        if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    }
    check(chunks >= 3, 'several chunks');
    check(finish === 'length' || finish === 'stop', 'a finish_reason in the stream');
    check(usage && usage.completion_tokens > 0 && usage.completion_tokens <= 12, 'usage at the end');
    check(!text.includes('\uFFFD'), 'no replacement characters (whole UTF-8 per chunk)');

    // The thinking fields pass through the client (extra body fields); this model doesn't think,
    // so there is no reasoning_content, streamed or not.
    const history = [
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4', reasoning_content: 'Two and two.' },
        { role: 'user', content: '3+3?' },
    ];
    const noThinking = await client.chat.completions.create({
        model, messages: history, max_tokens: 4, chat_template_kwargs: { enable_thinking: false },
        reasoning_format: 'auto',
    });
    check(typeof noThinking.choices[0].message.content === 'string', 'content with thinking fields');
    check(noThinking.choices[0].message.reasoning_content === undefined, 'no reasoning_content');
    const thinkingStream = await client.chat.completions.create({
        model, messages, max_tokens: 4, stream: true, enable_thinking: true,
    });
    for await (const chunk of thinkingStream)
        for (const choice of chunk.choices)
            check(choice.delta.reasoning_content === undefined, 'no reasoning_content chunk');
    let formatStatus = 0;
    try {
        await client.chat.completions.create({ model, messages, max_tokens: 2, reasoning_format: 'hidden' });
    } catch (e) {
        formatStatus = e.status;
        check(e.error && e.error.param === 'reasoning_format', 'the error names reasoning_format');
    }
    check(formatStatus === 400, 'an unknown reasoning_format is refused with 400 (got ' + formatStatus + ')');

    const raw = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 4 });
    check(raw.object === 'text_completion' && typeof raw.choices[0].text === 'string', 'raw completion');

    let status = 0;
    try {
        await client.chat.completions.create({ model, messages, max_tokens: 'ten' });
    } catch (e) {
        check(e instanceof OpenAI.APIError, 'an APIError');
        status = e.status;
        check(e.error && typeof e.error.message === 'string', 'an OpenAI error body');
    }
    check(status === 400, 'a wrong type is refused with 400 (got ' + status + ')');

    try {
        await client.chat.completions.create({ model: 'no-such-model', messages, max_tokens: 2 });
        check(false, 'an unknown model is refused');
    } catch (e) {
        check(e instanceof OpenAI.NotFoundError, 'an unknown model is 404 (got ' + e.status + ')');
    }
    console.log(JSON.stringify({ ok: true, model, streamed_chunks: chunks, streamed_text_bytes: Buffer.byteLength(text) }));
}

main().catch((e) => {
    console.log('openai client check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
