INSERT INTO account (id, name) VALUES (2, 'second');
