export function applyDiscount(cart, code) {
  if (!code.match(/^[A-Z]+$/)) {
    throw new RangeError(`invalid discount code ${code}`);
  }
  return cart;
}
