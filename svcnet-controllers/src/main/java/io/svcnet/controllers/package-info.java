/** Control loops that keep Endpoints, EndpointSlices, ReplicaSets and Pods in step with Services and Deployments. */
package io.svcnet.controllers;
