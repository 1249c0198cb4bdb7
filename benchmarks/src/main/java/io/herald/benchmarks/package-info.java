/** JMH benchmarks and the load generator. */
package io.herald.benchmarks;
