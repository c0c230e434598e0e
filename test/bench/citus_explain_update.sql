EXPLAIN (COSTS OFF) UPDATE multipartner.subscription SET quantity = quantity + 1 WHERE customer_id = md5('cc' || 1)::uuid AND subscription_id = md5('cs' || 1)::uuid;
