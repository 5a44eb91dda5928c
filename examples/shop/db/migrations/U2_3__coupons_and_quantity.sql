-- Undo of V2_3 (back to 2.1's schema). Destroys the coupons: a plan that must keep them declares
-- the migrate step's `undo: restore-backup`, so a rollback restores the verified backup.
ALTER TABLE orders RENAME COLUMN quantity TO qty;
DROP TABLE coupons;
