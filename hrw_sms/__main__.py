from hrw_sms.cli import main

main()
