/** svcnet-dns. */
package io.svcnet.dns;
