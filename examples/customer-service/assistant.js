// The customer-service assistant: routes each message (a structured decision under a JSON
// schema), answers FAQ questions from the model, looks orders up through the order-status tool,
// and hands over to a human when it is unsure or the customer complains.
'use strict';
const { faqText } = require('./faq');
const { orderStatusTool, runOrderStatus } = require('./orders');

const INTENTS = ['faq', 'order_status', 'complaint', 'other'];

// What the router must answer: the server constrains the model's output to this schema.
const routingSchema = {
    type: 'object',
    properties: {
        intent: { type: 'string', enum: INTENTS },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        reply: { type: 'string', maxLength: 300 },
    },
    required: ['intent', 'confidence', 'reply'],
    additionalProperties: false,
};

const ROUTER_PROMPT =
    'You route messages to a web shop\'s customer service. Answer with JSON: "intent" is one of ' +
    INTENTS.join(', ') + '; "confidence" (0 to 1) is how sure you are; "reply" is a short first ' +
    'reply to the customer, in their language.';
const FAQ_PROMPT =
    'You answer customers of a web shop, briefly and politely, in their language, using only ' +
    'these answers:\n\n' + faqText();
const ORDER_PROMPT =
    'You help customers of a web shop with their orders. Look the order up with the ' +
    'order_status tool, then tell the customer its status briefly, in their language.';
const HAND_OVER_REPLY = 'I am passing you to a colleague, who will get back to you shortly.';

// Throws when `d` is not a routing decision of the schema (the server guarantees it; a client
// checks anyway).
function checkRouting(d) {
    const fail = (what) => { throw new Error('bad routing decision: ' + what + ': ' + JSON.stringify(d)); };
    if (typeof d !== 'object' || d === null || Array.isArray(d)) fail('not an object');
    if (!INTENTS.includes(d.intent)) fail('intent');
    if (typeof d.confidence !== 'number' || d.confidence < 0 || d.confidence > 1) fail('confidence');
    if (typeof d.reply !== 'string' || [...d.reply].length > 300) fail('reply');
    if (Object.keys(d).some((k) => !(k in routingSchema.properties))) fail('unknown field');
    return d;
}

// Whether a person takes over: the router is unsure, or the customer complains.
function needsHuman(decision, handOverBelow) {
    return decision.confidence < handOverBelow || decision.intent === 'complaint';
}

class Assistant {
    // `client`: an OpenAI client whose baseURL is qwen-edge's /v1. Options: model (the served
    // model's id), handOverBelow (the confidence under which a person takes over), maxToolRounds
    // (tool calls before the model must answer), maxTokens (per answer), onHandOver(message,
    // decision) (tell a person: a ticket, a chat queue...).
    constructor(client, options = {}) {
        this.client = client;
        this.model = options.model;
        this.handOverBelow = options.handOverBelow ?? 0.5;
        this.maxToolRounds = options.maxToolRounds ?? 3;
        this.maxTokens = options.maxTokens ?? 200;
        this.onHandOver = options.onHandOver ?? (() => {});
    }

    async chat(messages, extra = {}) {
        const response = await this.client.chat.completions.create({
            model: this.model,
            messages,
            max_tokens: this.maxTokens,
            // Qwen3 models: answer without thinking first (faster on a CPU).
            chat_template_kwargs: { enable_thinking: false },
            ...extra,
        });
        return response.choices[0];
    }

    // The structured routing decision {intent, confidence, reply}.
    async route(message) {
        const choice = await this.chat(
            [{ role: 'system', content: ROUTER_PROMPT }, { role: 'user', content: message }],
            {
                temperature: 0,
                response_format: {
                    type: 'json_schema',
                    json_schema: { name: 'routing', strict: true, schema: routingSchema },
                },
            });
        return checkRouting(JSON.parse(choice.message.content));
    }

    async answerFaq(message) {
        const choice = await this.chat([{ role: 'system', content: FAQ_PROMPT }, { role: 'user', content: message }]);
        return choice.message.content ?? '';
    }

    // Tool rounds: the first must call order_status (the router said this is about an order);
    // each call's result goes back as a role "tool" message; the last round must answer in text.
    // Returns the answer and the calls made.
    async answerOrder(message) {
        const messages = [{ role: 'system', content: ORDER_PROMPT }, { role: 'user', content: message }];
        const toolCalls = [];
        for (let round = 0; ; ++round) {
            const toolChoice = round === 0 ? { type: 'function', function: { name: 'order_status' } }
                : round < this.maxToolRounds ? 'auto' : 'none';
            const choice = await this.chat(messages, { tools: [orderStatusTool], tool_choice: toolChoice });
            const calls = choice.message.tool_calls ?? [];
            if (calls.length === 0) return { reply: choice.message.content ?? '', toolCalls };
            messages.push(choice.message);
            for (const call of calls) {
                const result = call.function.name === 'order_status'
                    ? runOrderStatus(call.function.arguments)
                    : JSON.stringify({ error: 'no such tool: ' + call.function.name });
                toolCalls.push({ name: call.function.name, arguments: call.function.arguments, result });
                messages.push({ role: 'tool', tool_call_id: call.id, content: result });
            }
        }
    }

    // One customer message end to end: {intent, confidence, reply, handed_over, tool_calls}.
    async handle(message) {
        const decision = await this.route(message);
        const out = { intent: decision.intent, confidence: decision.confidence, handed_over: false, tool_calls: [] };
        if (needsHuman(decision, this.handOverBelow)) {
            await this.onHandOver(message, decision);
            return { ...out, handed_over: true, reply: HAND_OVER_REPLY };
        }
        if (decision.intent === 'faq') return { ...out, reply: await this.answerFaq(message) };
        if (decision.intent === 'order_status') {
            const { reply, toolCalls } = await this.answerOrder(message);
            return { ...out, reply, tool_calls: toolCalls };
        }
        return { ...out, reply: decision.reply };
    }
}

module.exports = { Assistant, INTENTS, routingSchema, checkRouting, needsHuman, HAND_OVER_REPLY };
