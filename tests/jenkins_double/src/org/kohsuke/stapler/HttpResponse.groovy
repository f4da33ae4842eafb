package org.kohsuke.stapler

/**
 * Mirrors Stapler's org.kohsuke.stapler.HttpResponse, the return type of the do*()
 * web methods (Jenkins.doQuietDown, Run.doStop, ...). The double has no Stapler, so
 * it carries no behaviour: scripts only ever ignore these values.
 */
interface HttpResponse {
}
