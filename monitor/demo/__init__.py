"""``brandguard demo``: a bundled fictitious data set, a loopback feed server and webhook receiver, and the
scenario that runs the real daemon against them on a simulated clock (see ``scenario``)."""
