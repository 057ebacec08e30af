/** svcnet-agent. */
package io.svcnet.agent;
