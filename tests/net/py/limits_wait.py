from limitslib import wait_handlers
wait_handlers(0, 35)
