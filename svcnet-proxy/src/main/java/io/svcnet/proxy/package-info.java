/** svcnet-proxy. */
package io.svcnet.proxy;
