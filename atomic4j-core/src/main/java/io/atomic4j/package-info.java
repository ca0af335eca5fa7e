/**
 * atomic4j: Django's transaction model for the JVM. {@link io.atomic4j.Database} is the entry point:
 * atomic blocks that nest as savepoints, onCommit/onRollback/beforeCommit hooks, manual savepoints,
 * autocommit and manual transactions, error classification and retries. Everything public here is
 * the contract (DESIGN.md); nothing else is.
 */
package io.atomic4j;
