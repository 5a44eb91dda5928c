-- shopd 2.3: coupons, and orders.qty renamed to orders.quantity.
CREATE TABLE coupons (
    code    text    PRIMARY KEY,
    percent integer NOT NULL CHECK (percent BETWEEN 1 AND 100)
);
ALTER TABLE orders RENAME COLUMN qty TO quantity;
