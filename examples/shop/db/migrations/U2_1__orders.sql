-- Undo of V2_1: drops every order. Never run by the shop plans (they stop at 2.1).
DROP TABLE orders;
