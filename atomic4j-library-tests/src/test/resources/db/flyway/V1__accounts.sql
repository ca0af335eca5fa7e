CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(50));
INSERT INTO account (id, name) VALUES (1, 'first');
