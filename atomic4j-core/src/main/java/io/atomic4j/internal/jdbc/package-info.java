/**
 * The engine's JDBC backend: borrowed connections as sessions, the transaction-aware DataSource, and
 * the connection and statement wrappers (generated at build time except for the methods with
 * behaviour) that report every statement to the engine and refuse transaction control inside a block.
 * Not API.
 */
package io.atomic4j.internal.jdbc;
