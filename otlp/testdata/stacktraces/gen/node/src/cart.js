'use strict';
const db = require('tiny-db');
const fs = require('fs');

class Cart {
  constructor(items) {
    this.items = items;
    this.total = items.reduce((sum, item) => sum + item.price.amount, 0);
  }
}

async function loadCart(id) {
  return await db.query('SELEC * FROM carts WHERE id = ' + id);
}

function readConfig(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

module.exports = { Cart, loadCart, readConfig };
