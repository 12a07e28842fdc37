// A mock order-status tool: the function the model may call, its JSON schema, and a stand-in for
// the shop's order system (replace the ORDERS lookup in runOrderStatus with a call to yours).
'use strict';

const ORDERS = {
    A1001: { status: 'shipped', carrier: 'DHL', eta: '2026-12-09' },
    A1002: { status: 'processing', eta: '2026-12-11' },
    A1003: { status: 'delivered', delivered_on: '2026-12-01' },
};

// The tool as the OpenAI API describes it. The server keeps a forced call to this schema.
const orderStatusTool = {
    type: 'function',
    function: {
        name: 'order_status',
        description: "Looks up an order's status by its id (like A1001).",
        parameters: {
            type: 'object',
            properties: {
                order_id: { type: 'string', minLength: 1, maxLength: 20, description: 'The order id' },
            },
            required: ['order_id'],
            additionalProperties: false,
        },
    },
};

// Every call that reached the tool, in order (for logs and tests).
const calls = [];

// Runs a call of the model's: `args` is the JSON text of its arguments. Returns the result as
// text for the role "tool" message; bad arguments become an error result, never an exception.
function runOrderStatus(args) {
    let parsed;
    try {
        parsed = JSON.parse(args);
    } catch (e) {
        calls.push({ args, error: 'arguments are not JSON' });
        return JSON.stringify({ error: 'arguments are not JSON' });
    }
    const id = typeof parsed.order_id === 'string' ? parsed.order_id.trim().toUpperCase() : '';
    const order = ORDERS[id];
    const result = order ? { order_id: id, ...order } : { order_id: id, error: 'no such order' };
    calls.push({ args: parsed, result });
    return JSON.stringify(result);
}

module.exports = { ORDERS, orderStatusTool, runOrderStatus, calls };
