// Runs the assistant against a running `qwen-edge serve` and checks every output's shape: each
// routing decision keeps to its schema, each order question reaches the order-status tool with
// valid arguments and ends in a text answer, and low confidence or a complaint hands over. It
// checks shapes, not wording, so it holds for any model (the test suite's answers noise).
//   node check.js [BASE_URL]   (default http://127.0.0.1:8080/v1)
// Prints {"ok": true, ...} and exits 0 when every check holds; otherwise says what failed.
'use strict';
const { OpenAI } = require('openai');
const { Assistant, checkRouting, needsHuman, HAND_OVER_REPLY } = require('./assistant');
const orders = require('./orders');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

const QUESTIONS = [
    'How long does delivery take?',
    'Where is my order A1001?',
    '我的订单 A1002 到哪里了？',
    'The parcel arrived broken and nobody answers my emails!',
];

async function main() {
    const baseURL = process.argv[2] || 'http://127.0.0.1:8080/v1';
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 120000 });
    const model = (await client.models.list()).data[0].id;
    const handedOver = [];
    const assistant = new Assistant(client, {
        model, maxTokens: 120, maxToolRounds: 2, onHandOver: (m) => handedOver.push(m),
    });

    // Routing decisions keep to the schema.
    for (const q of QUESTIONS) checkRouting(await assistant.route(q));

    // The FAQ path answers in text.
    check(typeof (await assistant.answerFaq(QUESTIONS[0])) === 'string', 'an FAQ answer');

    // The order path: every call reaches the tool, then an answer in text.
    for (const q of QUESTIONS.slice(1, 3)) {
        const before = orders.calls.length;
        const { reply, toolCalls } = await assistant.answerOrder(q);
        check(toolCalls.length >= 1, 'the first round calls order_status');
        check(orders.calls.length - before === toolCalls.length, 'every call reached the tool');
        for (const call of orders.calls.slice(before)) {
            check(!call.error, 'arguments are JSON: ' + JSON.stringify(call));
            const id = call.args.order_id;
            check(typeof id === 'string' && id.length >= 1 && [...id].length <= 20, 'an order id: ' + id);
            check(Object.keys(call.args).length === 1, 'no other arguments');
        }
        check(typeof reply === 'string', 'a text answer after the tool results');
    }

    // End to end; hand-over when unsure or on a complaint.
    for (const q of QUESTIONS) {
        const before = handedOver.length;
        const out = await assistant.handle(q);
        check(typeof out.reply === 'string', 'a reply');
        check(Array.isArray(out.tool_calls), 'tool calls listed');
        const human = needsHuman(out, assistant.handOverBelow);
        check(out.handed_over === human, 'handed over exactly when needed: ' + JSON.stringify(out));
        check(handedOver.length - before === (human ? 1 : 0), 'a person was told');
        if (human) check(out.reply === HAND_OVER_REPLY, 'the hand-over reply');
        if (!human && out.intent === 'order_status') check(out.tool_calls.length >= 1, 'order looked up');
    }
    check(needsHuman({ intent: 'faq', confidence: 0.2 }, 0.5) && !needsHuman({ intent: 'faq', confidence: 0.9 }, 0.5),
        'low confidence hands over');
    console.log(JSON.stringify({ ok: true, model, tool_calls: orders.calls.length, handed_over: handedOver.length }));
}

main().catch((e) => {
    console.log('customer-service check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
