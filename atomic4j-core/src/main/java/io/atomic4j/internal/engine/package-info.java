/**
 * The transaction state machine: Django's {@code Atomic.__enter__/__exit__} over any backend
 * ({@code AtomicBlocks}, {@code TransactionState}), with retries, hooks, manual savepoints and manual
 * transactions beside it. Knows nothing of JDBC: MongoDB drives the same engine. Not API.
 */
package io.atomic4j.internal.engine;
