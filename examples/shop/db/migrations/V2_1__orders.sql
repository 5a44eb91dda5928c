-- shopd 2.1: the orders table.
CREATE TABLE orders (
    id         bigserial   PRIMARY KEY,
    item       text        NOT NULL,
    qty        integer     NOT NULL CHECK (qty > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
